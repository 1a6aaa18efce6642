"""Who may do what with meetings: watch, operate the broadcast, edit the timeline and slides."""

import rules

from samskab.accounts.roles import is_administrator, is_editor, is_operator


@rules.predicate
def meeting_is_public(user, meeting) -> bool:
    return meeting is None or bool(meeting.is_published)


# Unpublished meetings are prepared by staff before they are announced.
can_prepare = is_operator | is_editor | is_administrator

rules.add_perm("webcasts.view_meeting", meeting_is_public | can_prepare)
# The console sets marks that every viewer sees at once: only the webcast operator role.
rules.add_perm("webcasts.operate_meeting", is_operator)
# Correcting offsets after the meeting and attaching slide decks is editorial work.
rules.add_perm("webcasts.edit_timeline", is_editor | is_operator)
rules.add_perm("webcasts.manage_slides", is_editor | is_operator)
