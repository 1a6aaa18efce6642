"""Who may connect the social accounts and change a meeting's posts."""

import rules

from samskab.accounts.roles import is_administrator, is_editor

# The accounts hold the municipality's tokens: administrators only.
rules.add_perm("social.manage_accounts", is_administrator)
# A meeting's posts and live broadcasts: those who prepare meetings.
rules.add_perm("social.manage_posts", is_editor | is_administrator)
