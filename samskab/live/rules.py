"""Who may see live viewer counts and use the demo's publish form."""

import rules

from samskab.accounts.roles import is_administrator, is_moderator, is_operator

rules.add_perm("live.view_viewer_count", is_operator | is_moderator | is_administrator)
rules.add_perm("live.publish_demo", is_operator | is_administrator)
