"""Who sees the usage statistics: administrators and editors (who report to the council)."""

import rules

from samskab.accounts.roles import is_administrator, is_editor

can_view_stats = is_administrator | is_editor

rules.add_perm("stats.view_stats", can_view_stats)
