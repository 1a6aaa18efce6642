"""A person's proposals and messages in their data export, and what deleting does."""

from samskab.proposals.models import Proposal, ProposalMessage


def export(user) -> dict:
    return {
        "proposals": [
            {
                "id": p.pk,
                "title": p.title,
                "summary": p.summary,
                "text": p.text,
                "video_url": p.video_url,
                "tags": [t.name for t in p.tags.all()],
                "area": p.area.name if p.area else "",
                "state": p.state,
                "retired_reason": p.retired_reason,
                "url": p.get_absolute_url(),
                "created_at": p.created_at.isoformat(),
            }
            for p in Proposal.objects.filter(author=user)
            .select_related("area")
            .prefetch_related("tags")
        ],
        "messages": [
            {
                "proposal": m.proposal_id,
                "text": m.text,
                "created_at": m.created_at.isoformat(),
            }
            for m in ProposalMessage.objects.filter(author=user)
        ],
    }


def anonymise(user) -> None:
    # Proposals stay, shown as written by a deleted user (the account is kept as a
    # tombstone); supports are the kernel's and stay counted.
    return None


def describe_data() -> None:
    from django.utils.translation import gettext_lazy as _

    from samskab.core.privacy import LegalBasis, PersonalData, describe

    describe(
        PersonalData(
            key="proposals",
            what=_("Proposals you make: title, summary, text, video link, tags and area"),
            purpose=_("So that residents can read, support and discuss your proposal."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the proposal is on the site."),
            on_deletion=_("They stay, shown as written by a deleted user."),
            export="apps.proposals.proposals",
            fields=("proposals.proposal.author",),
            order=64,
        ),
        PersonalData(
            key="proposal_messages",
            what=_("Messages you send to the supporters of your proposal"),
            purpose=_("To tell your supporters how your proposal is doing."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the proposal is on the site."),
            on_deletion=_("They stay with the proposal."),
            export="apps.proposals.messages",
            fields=("proposals.proposalmessage.author",),
            order=65,
        ),
    )
