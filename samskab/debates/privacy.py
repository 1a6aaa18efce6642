"""A person's debates and votes in their data export, and what deleting the account does."""

from samskab.debates.models import Debate, DebateVote


def export(user) -> dict:
    return {
        "debates": [
            {
                "id": d.pk,
                "title": d.title,
                "text": d.text,
                "tags": [t.name for t in d.tags.all()],
                "area": d.area.name if d.area else "",
                "status": d.status,
                "hidden": d.hidden_at is not None,
                "url": d.get_absolute_url(),
                "created_at": d.created_at.isoformat(),
            }
            for d in Debate.objects.filter(author=user)
            .select_related("area")
            .prefetch_related("tags")
        ],
        "votes": [
            {
                "debate": v.debate_id,
                "title": v.debate.title,
                "value": "agree" if v.value == DebateVote.Value.AGREE else "disagree",
                "created_at": v.created_at.isoformat(),
            }
            for v in DebateVote.objects.filter(user=user).select_related("debate")
        ],
    }


def anonymise(user) -> None:
    # Debates stay, shown as written by a deleted user (the account is kept as a tombstone);
    # votes stay counted, tied to the tombstone, so a deletion changes no debate's count.
    return None


def describe_data() -> None:
    from django.utils.translation import gettext_lazy as _

    from samskab.core.privacy import LegalBasis, PersonalData, describe

    describe(
        PersonalData(
            key="debates",
            what=_("Debates you open: title, text, tags and area"),
            purpose=_("So that residents can read, vote on and discuss your debate."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the debate is on the site."),
            on_deletion=_("They stay, shown as written by a deleted user."),
            export="apps.debates.debates",
            fields=("debates.debate.author",),
            order=62,
        ),
        PersonalData(
            key="debate_votes",
            what=_("Whether you agree or disagree with a debate"),
            purpose=_("To count each person's vote once, and to show you your own vote."),
            basis=LegalBasis.PUBLIC_TASK,
            retention=_("As long as the debate is on the site."),
            on_deletion=_("They stay counted, no longer tied to your name."),
            export="apps.debates.votes",
            fields=("debates.debatevote.user",),
            order=63,
        ),
    )
