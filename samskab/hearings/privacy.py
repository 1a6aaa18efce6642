"""A person's part in hearings in their data export, and what deleting the account does.

A hearing answer (høringssvar) is a document in the municipality's case: it is kept in the
case file when the account is deleted (only the link to the account goes), as the rules on
case records require. Proposals, choices and passages stay, shown as a deleted user's."""

from samskab.hearings.models import Answer, Choice, Passage, Proposal


def export(user) -> dict:
    return {
        "answers": [
            {
                "hearing": a.process.title,
                "number": a.number,
                "name": a.name,
                "on_behalf_of": a.organisation,
                "organisation_cvr": a.organisation_cvr,
                "text": a.text,
                "may_be_published": a.consent,
                "submitted_at": a.submitted_at.isoformat(),
                "url": a.process.get_absolute_url(),
            }
            for a in Answer.objects.filter(author=user).select_related("process")
        ],
        "proposals": [
            {
                "hearing": p.process.title,
                "title": p.title,
                "text": p.text,
                "hidden": p.hidden_at is not None,
                "url": p.get_absolute_url(),
                "created_at": p.created_at.isoformat(),
            }
            for p in Proposal.objects.filter(author=user).select_related("process")
        ],
        "choices": [
            {
                "hearing": c.question.process.title,
                "question": str(c.question),
                "choice": c.index + 1,
            }
            for c in Choice.objects.filter(user=user).select_related("question__process")
        ],
        "passages": [
            {"hearing": p.process.title, "quote": p.quote, "created_at": p.created_at.isoformat()}
            for p in Passage.objects.filter(created_by=user).select_related("process")
        ],
    }


def anonymise(user) -> None:
    # The answer stays in the case file under the name the person gave; it is no longer
    # tied to the account. Who marked a passage is not shown anywhere: the link goes too.
    Answer.objects.filter(author=user).update(author=None)
    Passage.objects.filter(created_by=user).update(created_by=None)


def describe_data() -> None:
    from django.utils.translation import gettext_lazy as _

    from samskab.core.privacy import LegalBasis, PersonalData, describe

    describe(
        PersonalData(
            key="hearing_answers",
            what=_(
                "Hearing answers you submit: the name you chose, whom you answer on behalf "
                "of, the text, attachments and whether it may be published"
            ),
            purpose=_(
                "So that the municipality can consider your answer in its decision, answer "
                "it, and keep it in the case file; published only if you allowed it."
            ),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the case file is kept, by the rules for case records."),
            on_deletion=_(
                "The answer stays in the case file under the name you gave; it is no longer "
                "tied to your account."
            ),
            export="apps.hearings.answers",
            fields=("hearings.answer.author",),
            order=66,
        ),
        PersonalData(
            key="hearing_participation",
            what=_(
                "Proposals for a draft, your choices on the municipality's questions, and the "
                "passages you marked to comment on"
            ),
            purpose=_("So that others can read and discuss them, and to count each choice once."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the hearing is on the site."),
            on_deletion=_(
                "Proposals stay, shown as written by a deleted user; choices stay counted; "
                "passages are no longer tied to you."
            ),
            export="apps.hearings",
            fields=(
                "hearings.proposal.author",
                "hearings.choice.user",
                "hearings.passage.created_by",
            ),
            order=67,
        ),
    )
