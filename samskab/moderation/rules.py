"""Who may moderate: moderators and administrators, nobody else (staff or not)."""

import rules

from samskab.accounts.roles import is_administrator, is_moderator

is_moderating = is_moderator | is_administrator

rules.add_perm("moderation.view_queue", is_moderating)
rules.add_perm("moderation.moderate", is_moderating)
rules.add_perm("moderation.ban", is_moderating)
