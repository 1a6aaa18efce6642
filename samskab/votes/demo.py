"""The demo's binding votes, one in each state: being prepared, open, closed (being
counted) and with its results published. Registered with core.demo after the people and
the census; idempotent (a vote is found by its title and left as it is). The open vote is
for two postal districts and carries their outlines on its map (votes.areas).

Ballots are cast through the services by the demo's residents who are in the census; the
demo's people are few, so the published results are small (and small counts suppressed).
"""

import json
from datetime import timedelta

from django.utils import timezone

from samskab.accounts.models import User, VerificationLevel
from samskab.votes import services
from samskab.votes.models import BindingVote, Question

# title, state, description, commitment, postal codes
VOTES = [
    (
        "Skal Rådhuspladsen være bilfri?",
        "draft",
        "Byrådet overvejer at lukke Rådhuspladsen for biler og give pladsen til ophold.",
        "Byrådet følger flertallet, hvis mindst 20 % af de stemmeberettigede stemmer.",
        "",
    ),
    (
        "Ny skolestruktur i Nordbyen",
        "open",
        "Tre modeller for skolerne i Nordbyen. Du kan stemme på nettet eller på biblioteket.",
        "Byrådet vælger den model, flest stemmer på.",
        "9990 9991",
    ),
    (
        "Navn til den nye bypark",
        "closed",
        "Parken ved åen skal have et navn. Afstemningen er slut, og stemmerne tælles op.",
        "Parken får det navn, der vinder.",
        "",
    ),
    (
        "Hvilken plan for havnefronten?",
        "published",
        "Tre planer for havnefronten. Resultatet er offentliggjort.",
        "Byrådet arbejder videre med den plan, der vinder efter stemmeoptællingen.",
        "",
    ),
]

# Two made-up postal districts inside the demo municipality (core.demo.MUNICIPALITY).
DISTRICTS = {
    "9990": ("Demoby N", [(9.56, 55.95), (9.66, 55.95), (9.66, 56.01), (9.56, 56.01)]),
    "9991": ("Demoby S", [(9.56, 55.90), (9.66, 55.90), (9.66, 55.95), (9.56, 55.95)]),
}


def demo_districts() -> str:
    features = [
        {
            "type": "Feature",
            "properties": {"postnr": code, "navn": name},
            "geometry": {"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]},
        }
        for code, (name, ring) in DISTRICTS.items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def _questions(vote: BindingVote, title: str) -> None:
    if "skole" in title:
        services.question_add(
            vote=vote,
            text="Hvilken model skal Nordbyen have?",
            answers=["To store skoler", "Tre skoler som i dag", "Én skole med to afdelinger"],
        )
        services.question_add(
            vote=vote,
            text="Ranger modellerne",
            kind=Question.Kind.RANKING,
            answers=["To store skoler", "Tre skoler som i dag", "Én skole med to afdelinger"],
        )
    else:
        services.question_add(
            vote=vote,
            text=title,
            answers=["Forslag A", "Forslag B", "Forslag C"],
        )
        services.question_add(vote=vote, text="Skal der være en legeplads?", kind="yes_no")


def _cast_where_allowed(vote: BindingVote) -> int:
    """Ballots from the demo's residents who may vote; others are passed over."""
    cast = 0
    people = User.objects.filter(verification_level__gte=VerificationLevel.RESIDENT).order_by("pk")[
        :20
    ]
    for number, person in enumerate(people):
        choices = {
            q.pk: [list(q.answers.values_list("pk", flat=True))[number % q.answers.count()]]
            for q in vote.questions.all()
            if q.kind != Question.Kind.RANKING
        }
        try:
            services.ballot_cast(vote=vote, user=person, choices=choices)
        except services.VoteRefused:
            continue
        cast += 1
    return cast


def votes_demo_part(context: dict) -> list[str]:
    editor = User.objects.filter(email="redaktor@demo.samskab.dk").first()
    if editor is None:
        return []
    made = 0
    now = timezone.now()
    for title, state, description, commitment, codes in VOTES:
        if BindingVote.objects.filter(title=title).exists():
            continue
        vote = services.vote_create(
            title=title,
            description=description,
            commitment=commitment,
            postal_codes=codes,
            min_age=16,
            opens_at=now + timedelta(days=14) if state == "draft" else now - timedelta(days=7),
            closes_at=now + timedelta(days=7) if state in ("draft", "open") else now,
        )
        _questions(vote, title)
        if codes:
            services.vote_areas_set(vote=vote, by=editor, text=demo_districts())
        made += 1
        if state == "draft":
            continue
        services.vote_open(vote=vote, by=editor)
        _cast_where_allowed(vote)
        if state == "open":
            continue
        vote = services.vote_close(vote=vote, by=editor)
        if state == "published":
            services.vote_publish(vote=vote, by=editor)
    return [f"{made} binding votes (prepared, open, closed and published)"] if made else []
