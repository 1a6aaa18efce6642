"""Who may do what with meetings and their timeline."""

import rules

from samskab.accounts.roles import is_administrator, is_editor, is_operator


@rules.predicate
def meeting_is_published(user, meeting) -> bool:
    return meeting is None or bool(meeting.is_published)


# Watching: everyone, once published; staff who prepare meetings see them before that.
rules.add_perm(
    "webcasts.view_meeting", meeting_is_published | is_operator | is_editor | is_administrator
)
# A closed (non-public) agenda item's title, documents and slides: the same staff only.
rules.add_perm("webcasts.view_closed_items", is_operator | is_editor | is_administrator)
# Taking a meeting live, setting marks while it runs, undoing one's own last mark.
rules.add_perm("webcasts.operate_meeting", is_operator | is_administrator)
# Adding marks after the fact and correcting their offsets (the timeline editor).
rules.add_perm("webcasts.edit_timeline", is_editor | is_administrator)
rules.add_perm("webcasts.import_agenda", is_editor | is_administrator)
rules.add_perm("webcasts.upload_captions", is_editor | is_administrator)
# Slide decks are attached by editors beforehand or by the operator during the meeting.
rules.add_perm("webcasts.manage_slides", is_editor | is_operator | is_administrator)
# The live blog's moderation mode, chosen in the console (moderators may everywhere).
rules.add_perm("webcasts.moderate_meeting", is_operator | is_administrator)
# Planning a series' coming meetings from its template (the admin's "Plan meetings").
rules.add_perm("webcasts.plan_series", is_editor | is_administrator)
