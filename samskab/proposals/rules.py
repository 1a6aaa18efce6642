"""Who may do what with proposals. Services ask the same permissions.

Citizens make proposals; only verified residents support them, while a proposal is open
(not archived, retired or hidden). Its author retires it and writes to its supporters.
Editors (and administrators) answer proposals and put a successful one on a meeting's
agenda or start a binding vote from it; moderators (and administrators) hide one.
"""

import rules

from samskab.accounts.roles import is_administrator, is_editor, is_moderator


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_verified(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_resident_verified)


@rules.predicate
def is_proposal_author(user, proposal) -> bool:
    return bool(proposal is not None and user.is_authenticated and proposal.author_id == user.pk)


@rules.predicate
def is_shown(user, proposal) -> bool:
    return proposal is not None and proposal.hidden_at is None


@rules.predicate
def is_supportable(user, proposal) -> bool:
    return proposal is not None and proposal.is_supportable


@rules.predicate
def is_live(user, proposal) -> bool:
    # Neither retired nor hidden: comments and messages go on, archived or not.
    return proposal is not None and proposal.hidden_at is None and proposal.retired_at is None


@rules.predicate
def is_successful(user, proposal) -> bool:
    return proposal is not None and proposal.succeeded_at is not None


@rules.predicate
def has_no_vote(user, proposal) -> bool:
    from samskab.proposals.selectors import vote_of

    return proposal is not None and vote_of(proposal) is None


is_proposal_staff = is_moderator | is_editor | is_administrator
is_answerer = is_editor | is_administrator

rules.add_perm("proposals.moderate_proposal", is_proposal_staff)
rules.add_perm("proposals.view_proposal", is_shown | is_proposal_author | is_proposal_staff)
rules.add_perm("proposals.add_proposal", is_signed_in)
rules.add_perm("proposals.support_proposal", is_verified & is_supportable)
rules.add_perm("proposals.comment_proposal", is_signed_in & is_live)
rules.add_perm("proposals.follow_proposal", is_signed_in & is_shown)
rules.add_perm("proposals.report_proposal", is_signed_in & is_shown)
rules.add_perm("proposals.attach_proposal", (is_proposal_author & is_live) | is_answerer)
rules.add_perm("proposals.locate_proposal", (is_proposal_author & is_live) | is_answerer)
rules.add_perm("proposals.retire_proposal", is_proposal_author & is_live)
rules.add_perm("proposals.message_proposal", is_proposal_author & is_live)
rules.add_perm("proposals.answer_proposal", is_answerer & is_shown)
rules.add_perm("proposals.agenda_proposal", is_answerer & is_shown & is_successful)
# A successful proposal may start one binding vote (the votes app), which staff then prepare.
rules.add_perm(
    "proposals.start_vote_proposal", is_answerer & is_shown & is_successful & has_no_vote
)
rules.add_perm("proposals.hide_proposal", (is_moderator | is_administrator) & is_shown)
rules.add_perm("proposals.restore_proposal", (is_moderator | is_administrator) & ~is_shown)
