"""The demo's citizens' budgets, one in each part of a budget's life a visitor can take part in
or read: "Borgerbudget 2027" in balloting with two headings, a map of a made-up municipality
with its town centre as a district, project places and one picture; "Borgerbudget 2028" where
citizens' proposals can be supported (two of them on the demo valuator's list to assess); and
"Borgerbudget 2026", finished, its result counted by the real count from ballots of made-up
residents and published with why each project won or not.

Idempotent: found by its title and brought back to the same state; ballots cast are kept.
"""

import hashlib
import io
import json
import random
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as Picture
from PIL import ImageDraw

from samskab.accounts.demo import DEMO_PEOPLE
from samskab.accounts.models import User
from samskab.accounts.roles import Role
from samskab.attachments.models import Image
from samskab.attachments.selectors import images_of
from samskab.budgets.ballots import Mark, replace_lines
from samskab.budgets.maps import budget_map_upload
from samskab.budgets.models import (
    Ballot,
    BallotStyle,
    Budget,
    BudgetPhase,
    Group,
    Heading,
    Phase,
    Project,
    Rule,
    Tally,
    ValuatorAssignment,
)
from samskab.budgets.tallying import tally_confirm, tally_request, tally_run
from samskab.core.demo import MUNICIPALITY
from samskab.places.models import Place

# The made-up municipality in Mid-Jutland (core.demo), and its town centre.
TOWN_CENTRE = [
    (9.59, 55.94), (9.63, 55.935), (9.65, 55.95), (9.64, 55.965), (9.60, 55.97),
    (9.58, 55.955), (9.59, 55.94),
]  # fmt: skip


def demo_map() -> str:
    """The demo's map as the municipality would upload it: one feature per heading."""

    def feature(name: str, ring) -> dict:
        return {
            "type": "Feature",
            "properties": {"heading": name},
            "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
        }

    features = [
        feature("Projekter for hele kommunen", MUNICIPALITY),
        feature("Midtbyen", TOWN_CENTRE),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


# Where each project would be (latitude, longitude) and how it is described.
PLACES = {
    "Cykelsti langs åen": (55.985, 9.55, "Langs åen nord for byen"),
    "Udendørs fitness i parken": (55.915, 9.66, "Sydparken"),
    "Shelters ved skoven": (56.005, 9.63, "Nørreskoven"),
    "Gratis sommerkoncerter": (55.952, 9.615, "Torvet"),
    "Plant 1.000 træer": (55.925, 9.53, "Vejene vest for byen"),
    "Hundeskov": (55.97, 9.70, "Østerengen"),
    "Bænke og blomster på torvet": (55.951, 9.612, "Torvet"),
    "Legeplads i Byparken": (55.958, 9.63, "Byparken"),
    "Vandpost ved stationen": (55.944, 9.605, "Stationspladsen"),
    "Cykelparkering med tag": (55.946, 9.61, "Ved stationen"),
    "Lys i gyden": (55.955, 9.60, "Kirkestræde"),
}


def _playground_picture() -> ContentFile:
    """A small drawn picture for the playground project (the demo ships no photos)."""
    image = Picture.new("RGB", (800, 500), "#bfe3f7")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 800, 500), fill="#7cb85a")
    draw.ellipse((620, 40, 720, 140), fill="#f6d04d")
    draw.polygon([(180, 330), (300, 150), (420, 330)], outline="#8a4b2a", width=14)
    draw.line((300, 150, 300, 330), fill="#8a4b2a", width=10)
    draw.rectangle((470, 250, 700, 262), fill="#c0392b")
    draw.line((490, 262, 490, 330), fill="#555555", width=8)
    draw.line((680, 262, 680, 330), fill="#555555", width=8)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name="legeplads.png")


TITLE = "Borgerbudget 2027"

HEADINGS = [
    (
        "Hele kommunen",
        "Projekter for hele kommunen",
        1_000_000,
        [
            ("Cykelsti langs åen", 450_000, "En belyst cykelsti på 2 km langs åen."),
            ("Udendørs fitness i parken", 180_000, "Redskaber til træning for alle aldre."),
            ("Shelters ved skoven", 120_000, "Tre shelters og en bålplads."),
            ("Gratis sommerkoncerter", 90_000, "Seks koncerter på torvet i juli."),
            ("Plant 1.000 træer", 250_000, "Træer langs veje og skoler."),
            ("Hundeskov", 140_000, "Indhegnet hundeskov med bænke og vand."),
        ],
    ),
    (
        "Bydele",
        "Midtbyen",
        300_000,
        [
            ("Bænke og blomster på torvet", 80_000, "Flere steder at sidde og grønt."),
            ("Legeplads i Byparken", 150_000, "En ny legeplads for de mindste."),
            ("Vandpost ved stationen", 30_000, "Frisk drikkevand året rundt."),
            ("Cykelparkering med tag", 110_000, "Overdækket parkering til 60 cykler."),
            ("Lys i gyden", 60_000, "Bedre belysning i Kirkestræde."),
        ],
    ),
]

# The whole municipality votes with points (10 to share out, at most 5 for one project), the
# districts with a ballot within the amount: the demo shows both kinds of ballot.
GROUP_STYLES = {
    "Hele kommunen": {
        "ballot_style": BallotStyle.CUMULATIVE,
        "points_total": 10,
        "points_per_project": 5,
    },
}

PHASE_TEXT = {
    Phase.ACCEPTING: "Alle kan foreslå projekter.",
    Phase.SELECTING: "Støt de forslag, du synes bedst om.",
    Phase.VALUATING: "Kommunen vurderer, om forslagene kan lade sig gøre, og hvad de koster.",
    Phase.BALLOTING: "Stem om, hvilke projekter pengene skal gå til.",
    Phase.FINISHED: "Resultatet er offentliggjort.",
}


# Each phase's first and last day, counted from the day the demo is loaded.
PHASE_DAYS = {
    Phase.ACCEPTING: (-90, -61),
    Phase.SELECTING: (-60, -46),
    Phase.VALUATING: (-45, -16),
    Phase.BALLOTING: (-14, 16),
    Phase.FINISHED: (30, None),
}


@transaction.atomic
def budgets_demo_load() -> Budget:
    budget, _created = Budget.objects.update_or_create(
        title=TITLE,
        defaults={
            "description": (
                "Kommunen afsætter **1.300.000 DKK** til projekter, som borgerne foreslår "
                "og stemmer om. Stemmerne tælles med metoden med lige andele."
            ),
            "phase": Phase.BALLOTING,
            "rule": Rule.MES_COST_ADD1,
            "is_published": True,
        },
    )
    # Dates around today, refreshed at every start, so the vote is always open for a while.
    today = timezone.localdate()
    for phase, text in PHASE_TEXT.items():
        days = PHASE_DAYS.get(phase)
        dates = {}
        if days:
            dates = {
                "starts_on": today + timedelta(days=days[0]),
                "ends_on": today + timedelta(days=days[1]) if days[1] is not None else None,
            }
        BudgetPhase.objects.update_or_create(
            budget=budget, phase=phase, defaults={"description": text, **dates}
        )
    for group_name, heading_name, amount, projects in HEADINGS:
        group, _created = Group.objects.update_or_create(
            budget=budget, name=group_name, defaults=GROUP_STYLES.get(group_name, {})
        )
        heading, _created = Heading.objects.update_or_create(
            group=group, name=heading_name, defaults={"amount": amount}
        )
        for title, price, description in projects:
            latitude, longitude, place = PLACES[title]
            project, _created = Project.objects.update_or_create(
                heading=heading,
                title=title,
                defaults={
                    "description": description,
                    "status": Project.Status.ON_BALLOT,
                    "price": price,
                    "feasibility_explanation": "Projektet kan gennemføres på kommunens arealer.",
                    "price_explanation": "Prisen bygger på kommunens erfaringer og et tilbud.",
                },
            )
            # The demo writes its own data: no one's permission is asked (places.services).
            Place.objects.update_or_create(
                content_type=ContentType.objects.get_for_model(Project),
                object_id=project.pk,
                defaults={"latitude": latitude, "longitude": longitude, "address": place},
            )
    budget_map_upload(budget=budget, text=demo_map(), property_name="heading")
    playground = Project.objects.get(heading__group__budget=budget, title="Legeplads i Byparken")
    if not images_of(playground).exists():
        Image.objects.create(
            target=playground,
            file=_playground_picture(),
            alt="Tegning af legepladsen: et klatrestativ og en bænk på græsset.",
        )
    return budget


def _phases(budget: Budget, days: dict) -> None:
    today = timezone.localdate()
    for phase, (first, last) in days.items():
        BudgetPhase.objects.update_or_create(
            budget=budget,
            phase=phase,
            defaults={
                "description": PHASE_TEXT.get(phase, ""),
                "starts_on": today + timedelta(days=first),
                "ends_on": today + timedelta(days=last) if last is not None else None,
            },
        )


DEMO_VALUATOR = next(email for email, role in DEMO_PEOPLE if role == Role.VALUATOR)
SUPPORTS_TITLE = "Borgerbudget 2028"
SUPPORTS_PROJECTS = [
    ("Skøjtebane på torvet", "En skøjtebane på torvet i december og januar."),
    ("Bålhytte ved søen", "En bålhytte med plads til en skoleklasse."),
    ("Flere affaldsspande", "Spande med låg langs stierne i parken."),
    ("Bytte-skab ved biblioteket", "Et skab hvor alle kan bytte bøger og ting."),
]


def budgets_demo_supports() -> Budget:
    """A budget in the phase where residents support the proposals they want valued."""
    budget, _created = Budget.objects.update_or_create(
        title=SUPPORTS_TITLE,
        defaults={
            "description": (
                "Borgerne har foreslået projekter til **1.000.000 DKK**. Støt dem, du synes "
                "bedst om: de mest støttede bliver vurderet af kommunen og kommer til afstemning."
            ),
            "phase": Phase.SELECTING,
            "rule": Rule.GREEDY,
            "is_published": True,
        },
    )
    _phases(
        budget,
        {Phase.ACCEPTING: (-30, -4), Phase.SELECTING: (-3, 25), Phase.VALUATING: (26, 45)},
    )
    group, _created = Group.objects.update_or_create(budget=budget, name="Hele kommunen")
    heading, _created = Heading.objects.update_or_create(
        group=group, name="Hele kommunen", defaults={"amount": 1_000_000}
    )
    # No price yet: the municipality sets it when it values the most supported.
    projects = [
        Project.objects.update_or_create(
            heading=heading,
            title=title,
            defaults={"description": description, "status": Project.Status.SUBMITTED},
        )[0]
        for title, description in SUPPORTS_PROJECTS
    ]
    # The demo's valuator has the first two on their list, with the valuating phase's end as
    # the deadline (written directly: the demo e-mails nobody).
    valuator = User.objects.filter(email=DEMO_VALUATOR).first()
    if valuator is not None:
        for project in projects[:2]:
            ValuatorAssignment.objects.get_or_create(project=project, valuator=valuator)
    return budget


PAST_TITLE = "Borgerbudget 2026"
PAST_PROJECTS = [
    # title, price, description, how many of the made-up voters chose it (of 100)
    ("Ny belysning på stationsvej", 210_000, "LED-lys på hele Stationsvej.", 62),
    ("Multibane ved skolen", 260_000, "En multibane til fodbold og basket.", 55),
    ("Blomstereng i parken", 40_000, "Vilde blomster i stedet for græs.", 48),
    ("Ny bro over åen", 380_000, "En gangbro mellem Nordbyen og centrum.", 41),
    ("Bogbus til landsbyerne", 120_000, "En bogbus hver anden uge.", 22),
    ("Krolf-bane", 35_000, "En bane til krolf ved ældrecentret.", 18),
]
PAST_VOTERS = 100


def budgets_demo_past(admin) -> Budget:
    """A finished budget: made-up residents' ballots, counted and published the way staff
    do it (tally_request, tally_run, tally_confirm), so the results page and its
    explanations show what a real count gives."""
    budget, _created = Budget.objects.get_or_create(
        title=PAST_TITLE,
        defaults={
            "description": (
                "Kommunen afsatte **750.000 DKK**, og borgerne stemte om seks forslag. Her er "
                "resultatet, talt med metoden med lige andele."
            ),
            "phase": Phase.BALLOTING,
            "rule": Rule.MES_COST_ADD1,
            "is_published": True,
        },
    )
    _phases(
        budget,
        {
            Phase.ACCEPTING: (-400, -340),
            Phase.SELECTING: (-339, -320),
            Phase.VALUATING: (-319, -290),
            Phase.BALLOTING: (-289, -270),
            Phase.FINISHED: (-260, None),
        },
    )
    if budget.tallies.filter(state=Tally.State.PUBLISHED).exists():
        return budget  # counted and published at an earlier start: kept as it is
    group, _created = Group.objects.get_or_create(budget=budget, name="Hele kommunen")
    heading, _created = Heading.objects.update_or_create(
        group=group, name="Hele kommunen", defaults={"amount": 750_000}
    )
    projects = []
    for title, price, description, _share in PAST_PROJECTS:
        project, _created = Project.objects.update_or_create(
            heading=heading,
            title=title,
            defaults={
                "description": description,
                "status": Project.Status.ON_BALLOT,
                "price": price,
                "feasibility_explanation": "Projektet kan gennemføres.",
                "price_explanation": "Prisen bygger på et tilbud.",
            },
        )
        projects.append(project)
    if not Ballot.objects.filter(heading=heading).exists():
        # Made-up residents, the same at every start: each chose a project with the share
        # of PAST_PROJECTS. Their "person" is a made-up keyed hash no census row has.
        chance = random.Random(2026)  # noqa: S311  # a demo's made-up votes, not a secret
        for voter in range(PAST_VOTERS):
            chosen = [
                project
                for project, (*_rest, share) in zip(projects, PAST_PROJECTS, strict=True)
                if chance.randrange(100) < share
            ] or [projects[voter % len(projects)]]
            ballot = Ballot.objects.create(
                heading=heading,
                person=hashlib.sha256(f"samskab-demo-voter-{voter}".encode()).hexdigest(),
                source=Ballot.Source.PAPER,
                entered_by=admin,
            )
            replace_lines(ballot, [Mark(project) for project in chosen])
    budget.phase = Phase.REVIEWING_BALLOTS
    budget.save(update_fields=["phase"])
    tally = tally_request(budget=budget, user=admin)
    tally = tally_run(tally_id=tally.pk) or tally
    tally_confirm(tally=tally, user=admin)
    budget.refresh_from_db()
    return budget


def budgets_demo_part(context: dict) -> None:
    budgets_demo_load()
    budgets_demo_supports()
    admin = User.objects.get(email=DEMO_PEOPLE[0][0])
    budgets_demo_past(admin)
