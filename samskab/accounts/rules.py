"""Who may do what with accounts and the site."""

import rules

from samskab.accounts.roles import (
    is_administrator,
    is_email_verified,
    is_moderator,
    is_operator,
    is_poll_officer,
)

rules.add_perm("accounts.import_census", is_administrator)
rules.add_perm("accounts.export_residence_letters", is_administrator)
rules.add_perm("accounts.verify_in_person", is_poll_officer | is_administrator)
rules.add_perm("core.edit_site", is_administrator)
rules.add_perm("accounts.verify_residence", is_email_verified)
# The layers below accounts (core, live) name their permissions; roles decide them here.
rules.add_perm("live.view_viewer_count", is_operator | is_moderator | is_administrator)
rules.add_perm("live.publish_demo", is_operator | is_administrator)
# People: administrators see the staff's accounts and roles, and invite colleagues.
rules.add_perm("accounts.view_people", is_administrator)
rules.add_perm("accounts.invite_staff", is_administrator)
