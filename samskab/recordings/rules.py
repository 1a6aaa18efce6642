"""Who may do what with the archive: uploads, clips, redaction, publishing and retention."""

import rules

from samskab.accounts.roles import is_administrator, is_editor, is_operator

# Uploading a recording, redacting it, hiding it, and choosing how long it is kept.
rules.add_perm("recordings.manage_recording", is_editor | is_administrator)
# Clips are made by those who know the meeting: editors and the operator who ran it.
rules.add_perm("recordings.make_clip", is_editor | is_operator | is_administrator)
# Retention per body (the municipality's reading of the GDPR).
rules.add_perm("recordings.set_retention", is_editor | is_administrator)
