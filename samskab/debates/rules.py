"""Who may do what with debates. Services ask the same permissions.

Staff: editors feature, moderators hide, both (and administrators) close and reopen.
A hidden debate is seen only by staff and its author; a closed one takes no new votes or
comments but stays readable.
"""

import rules

from samskab.accounts.roles import is_administrator, is_editor, is_moderator


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_debate_author(user, debate) -> bool:
    return bool(debate is not None and user.is_authenticated and debate.author_id == user.pk)


@rules.predicate
def is_shown(user, debate) -> bool:
    return debate is not None and debate.hidden_at is None


@rules.predicate
def is_open(user, debate) -> bool:
    # Open for votes and comments: neither closed nor hidden.
    return debate is not None and debate.is_open


@rules.predicate
def is_status_open(user, debate) -> bool:
    return debate is not None and debate.status == debate.Status.OPEN


@rules.predicate
def is_status_closed(user, debate) -> bool:
    return debate is not None and debate.status == debate.Status.CLOSED


is_debate_staff = is_moderator | is_editor | is_administrator

# Sees hidden debates (core.targets' staff permission, so comments and follows agree).
rules.add_perm("debates.moderate_debate", is_debate_staff)
rules.add_perm("debates.view_debate", is_shown | is_debate_author | is_debate_staff)
rules.add_perm("debates.open_debate", is_signed_in)
rules.add_perm("debates.vote_debate", is_signed_in & is_open)
rules.add_perm("debates.comment_debate", is_signed_in & is_open)
rules.add_perm("debates.follow_debate", is_signed_in & is_shown)
rules.add_perm("debates.report_debate", is_signed_in & is_shown)
rules.add_perm("debates.locate_debate", (is_debate_author & is_open) | is_debate_staff)
rules.add_perm("debates.feature_debate", (is_editor | is_administrator) & is_shown)
rules.add_perm("debates.close_debate", is_debate_staff & is_status_open)
rules.add_perm("debates.reopen_debate", is_debate_staff & is_status_closed)
rules.add_perm("debates.hide_debate", (is_moderator | is_administrator) & is_shown)
rules.add_perm("debates.restore_debate", (is_moderator | is_administrator) & ~is_shown)
