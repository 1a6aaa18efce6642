"""Who may do what in a hearing process, phase by phase. Services ask the same permissions.

- debate phase: signed-in people answer the municipality's questions (comments, choices);
- proposals phase: they propose text and comment on and support proposals;
- draft phase: they comment on passages of the draft;
- hearing phase: they (or an organisation) submit a hearing answer with attachments;
- result phase: everyone reads the adopted text and the municipality's answers.
Staff (editors, administrators) prepare the process in any phase (versions, phases,
questions), tag answers and write the municipality's answers from the hearing phase on,
and export the case file. Moderators (and editors) see what is not published yet.

Each predicate takes the process, or anything with a `process` (a passage, a question, a
proposal, an answer).
"""

from __future__ import annotations

import rules
from django.utils import timezone

from samskab.accounts.roles import is_administrator, is_editor, is_moderator


def _process(obj):
    if obj is None:
        return None
    return getattr(obj, "process", obj)


def open_phase(process, now=None) -> str | None:
    """The kind of the phase open now, or None (before, between or after the phases)."""
    if process is None:
        return None
    now = now or timezone.now()
    cached = getattr(process, "_phases_cache", None)
    phases = cached if cached is not None else list(process.phases.all())
    for phase in phases:
        if phase.is_open(now):
            return phase.kind
    return None


def _in(*kinds: str):
    @rules.predicate
    def predicate(user, obj) -> bool:
        process = _process(obj)
        return bool(process is not None and process.is_published and open_phase(process) in kinds)

    predicate.name = "phase_in_" + "_".join(kinds)
    return predicate


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_published(user, obj) -> bool:
    process = _process(obj)
    return bool(process is not None and process.is_published)


@rules.predicate
def is_answer_author(user, answer) -> bool:
    return bool(answer is not None and user.is_authenticated and answer.author_id == user.pk)


@rules.predicate
def is_shown_proposal(user, proposal) -> bool:
    return proposal is not None and getattr(proposal, "hidden_at", None) is None


in_debate = _in("debate")
in_proposals = _in("proposals")
in_draft = _in("draft")
in_hearing = _in("hearing")
in_hearing_or_result = _in("hearing", "result")
in_result = _in("result")

is_hearing_editor = is_editor | is_administrator
is_hearing_staff = is_moderator | is_editor | is_administrator

# Sees what is not published (core.targets' staff permission for every hearing target).
rules.add_perm("hearings.moderate_process", is_hearing_staff)
rules.add_perm("hearings.view_process", is_published | is_hearing_staff)
rules.add_perm("hearings.manage_process", is_hearing_editor)
rules.add_perm("hearings.follow_process", is_signed_in & is_published)
rules.add_perm("hearings.locate_process", is_hearing_editor)
# Debate phase.
rules.add_perm("hearings.comment_question", is_signed_in & in_debate)
rules.add_perm("hearings.choose_question", is_signed_in & in_debate)
# Proposals phase.
rules.add_perm("hearings.propose_process", is_signed_in & in_proposals)
rules.add_perm("hearings.comment_proposal", is_signed_in & in_proposals & is_shown_proposal)
rules.add_perm("hearings.support_proposal", is_signed_in & in_proposals & is_shown_proposal)
rules.add_perm("hearings.report_proposal", is_signed_in & is_published & is_shown_proposal)
# Draft phase: comments on passages (asked by the comments app through core.targets).
rules.add_perm("hearings.comment_passage", is_signed_in & in_draft)
rules.add_perm("hearings.report_passage", is_signed_in & is_published)
# Hearing phase: answers, with attachments while the hearing is open, by their author.
rules.add_perm("hearings.answer_process", is_signed_in & in_hearing)
rules.add_perm("hearings.attach_answer", is_answer_author & in_hearing)
rules.add_perm("hearings.detach_answer", is_answer_author & in_hearing)
# Staff's work on the answers and the hvidbog.
rules.add_perm("hearings.tag_answer", is_hearing_editor & in_hearing_or_result)
rules.add_perm("hearings.respond_process", is_hearing_editor & in_hearing_or_result)
rules.add_perm("hearings.export_process", is_hearing_editor)
rules.add_perm("hearings.version_process", is_hearing_editor)
# The result is everyone's to read once its phase is open (staff see it before).
rules.add_perm("hearings.result_process", (is_published & in_result) | is_hearing_staff)
