"""Who may do what with surveys."""

import rules

from samskab.accounts.roles import is_administrator, is_editor

# Reading every answer, statistics and exports; previewing a draft.
rules.add_perm("surveys.read_results", is_editor | is_administrator)
rules.add_perm("surveys.preview_survey", is_editor | is_administrator)
