"""The demo's citizens' budget: "Borgerbudget 2027" in balloting with two headings.

Idempotent: found by its title and brought back to the same state; ballots cast are kept.
"""

from django.db import transaction

from samskab.budgets.models import Budget, BudgetPhase, Group, Heading, Phase, Project, Rule

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

PHASE_TEXT = {
    Phase.ACCEPTING: "Alle kan foreslå projekter.",
    Phase.SELECTING: "Støt de forslag, du synes bedst om.",
    Phase.VALUATING: "Kommunen vurderer, om forslagene kan lade sig gøre, og hvad de koster.",
    Phase.BALLOTING: "Stem om, hvilke projekter pengene skal gå til.",
    Phase.FINISHED: "Resultatet er offentliggjort.",
}


@transaction.atomic
def budgets_demo_load() -> Budget:
    budget, _created = Budget.objects.update_or_create(
        title=TITLE,
        defaults={
            "description": (
                "Kommunen afsætter **1,3 mio. kr.** til projekter, som borgerne foreslår "
                "og stemmer om. Stemmerne tælles med metoden med lige andele."
            ),
            "phase": Phase.BALLOTING,
            "rule": Rule.MES_COST_ADD1,
            "is_published": True,
        },
    )
    for phase, text in PHASE_TEXT.items():
        BudgetPhase.objects.update_or_create(
            budget=budget, phase=phase, defaults={"description": text}
        )
    for group_name, heading_name, amount, projects in HEADINGS:
        group, _created = Group.objects.get_or_create(budget=budget, name=group_name)
        heading, _created = Heading.objects.update_or_create(
            group=group, name=heading_name, defaults={"amount": amount}
        )
        for title, price, description in projects:
            Project.objects.update_or_create(
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
    return budget
