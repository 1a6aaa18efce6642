"""Who may do what with polls."""

import rules

from samskab.accounts.roles import is_administrator, is_editor, is_operator

# Opening and closing a poll during a meeting is the webcast operator's job (the console).
rules.add_perm("polls.operate_poll", is_operator | is_administrator)
# The result as it stands, whatever the public may see: for those who run and report meetings.
rules.add_perm("polls.view_results", is_operator | is_editor | is_administrator)
