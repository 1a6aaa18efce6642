"""A person's data in binding votes: in which votes they took part, how and on which day.
What they voted is nobody's to export: no row says it (docs/voting.md)."""

from samskab.accounts.models import CensusRecord, ResidenceVerification
from samskab.votes.models import Participation


def export(user) -> list[dict]:
    residence = ResidenceVerification.objects.filter(user=user).first()
    if (
        residence is None
        or not CensusRecord.objects.filter(identifier_hash=residence.identifier_hash).exists()
    ):
        return []
    from samskab.votes.selectors import person_key

    found = []
    for participation in Participation.objects.select_related("vote").order_by("day", "vote"):
        if participation.person == person_key(participation.vote, residence.identifier_hash):
            found.append(
                {
                    "vote": participation.vote.title,
                    "channel": participation.channel,
                    "day": participation.day,
                }
            )
    return found
