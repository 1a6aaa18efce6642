"""Who may do what with polls."""

import rules

from samskab.accounts.roles import is_administrator, is_operator

# Opening and closing a poll during a meeting is the webcast operator's job (the console).
rules.add_perm("polls.operate_poll", is_operator | is_administrator)
