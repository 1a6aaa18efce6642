"""The demo's debates: open, featured, closed and hidden, with areas, tags, votes from
verified and unverified people, and comments. Registered with core.demo; idempotent (a
debate is found by its title and left as it is)."""

from datetime import timedelta

from django.utils import timezone

from samskab.accounts.models import User, VerificationLevel
from samskab.comments.services import comment_post
from samskab.debates import services
from samskab.debates.models import Area, Debate, DebateVote

AREAS = ["Midtbyen", "Nordbyen", "Landsbyerne"]

# (display name, verified resident)
VOTERS = [
    ("Anne", True),
    ("Bo", True),
    ("Camilla", True),
    ("Dennis", False),
    ("Eva", True),
    ("Frederik", False),
    ("Gitte", True),
    ("Hassan", False),
]

# title, text, tags, area, days ago, agree voters, disagree voters, comments, state
DEBATES = [
    (
        "Skal bilerne ud af Torvegade?",
        "Torvegade er fuld af biler, og det er svært at gå og cykle. Skal gaden være "
        "gågade hele året, eller kun om sommeren?",
        ["trafik", "byliv"],
        "Midtbyen",
        2,
        ["Anne", "Bo", "Camilla", "Dennis"],
        ["Eva", "Hassan"],
        ["Ja, og gerne med flere bænke.", "Butikkerne har brug for, at man kan parkere tæt på."],
        "featured",
    ),
    (
        "Længere åbningstid på biblioteket",
        "Biblioteket lukker kl. 19. Mange af os kan først komme om aftenen. Skal det være "
        "åbent til kl. 22 med selvbetjening?",
        ["kultur", "biblioteker"],
        "",
        5,
        ["Anne", "Frederik", "Gitte"],
        ["Bo"],
        ["Selvbetjening fungerer fint i nabokommunen."],
        "open",
    ),
    (
        "En hundeskov i Nordbyen",
        "Der er ingen indhegnet hundeskov nord for åen. Hvor skulle den ligge?",
        ["natur", "hunde"],
        "Nordbyen",
        12,
        ["Camilla", "Eva"],
        ["Dennis"],
        [],
        "open",
    ),
    (
        "Busforbindelse til landsbyerne om aftenen",
        "Den sidste bus til landsbyerne kører kl. 20. Unge kan ikke komme hjem fra "
        "fritidsaktiviteter. Skal kommunen betale for en aftenbus?",
        ["trafik", "unge"],
        "Landsbyerne",
        30,
        ["Anne", "Bo", "Gitte", "Hassan"],
        ["Camilla"],
        ["Vores datter må hentes hver tirsdag.", "Måske en telebus i stedet?"],
        "closed",
    ),
    (
        "Gratis parkering for alle",
        "Parkering i hele kommunen bør være gratis.",
        ["trafik"],
        "",
        8,
        ["Frederik"],
        [],
        [],
        "hidden",
    ),
]


AUTHORS = ["", "Gitte", "Hassan", "Camilla", "Frederik"]


def _voter(name: str, verified: bool) -> User:
    user, _created = User.objects.get_or_create(
        email=f"debat-{name.lower()}@demo.samskab.dk",
        defaults={
            "display_name": name,
            "verification_level": (
                VerificationLevel.RESIDENT if verified else VerificationLevel.EMAIL
            ),
        },
    )
    if _created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def debates_demo_part(context: dict) -> list[str]:
    from samskab.accounts.demo import DEMO_CITIZEN

    areas = {
        name: Area.objects.get_or_create(name=name, defaults={"position": i})[0]
        for i, name in enumerate(AREAS)
    }
    voters = {name: _voter(name, verified) for name, verified in VOTERS}
    citizen = User.objects.filter(email=DEMO_CITIZEN).first() or voters["Anne"]
    editor = User.objects.filter(email="redaktor@demo.samskab.dk").first()
    moderator = User.objects.filter(email="moderator@demo.samskab.dk").first()
    made = 0
    for index, (title, text, tags, area, days, agree, disagree, comments, state) in enumerate(
        DEBATES
    ):
        if Debate.objects.filter(title=title).exists():
            continue
        # The demo citizen opens the first (to find it under their own login); named
        # people the rest, so the list shows who wrote what.
        author = voters[AUTHORS[index]] if AUTHORS[index] else citizen
        debate = services.debate_open(
            author=author, title=title, text=text, tags=tags, area=areas.get(area), language="da"
        )
        Debate.objects.filter(pk=debate.pk).update(created_at=timezone.now() - timedelta(days=days))
        debate.refresh_from_db()
        for names, value in (
            (agree, DebateVote.Value.AGREE),
            (disagree, DebateVote.Value.DISAGREE),
        ):
            for name in names:
                services.debate_vote(debate=debate, user=voters[name], value=value)
        for i, body in enumerate(comments):
            comment_post(target=debate, body=body, author=voters[VOTERS[i][0]], language="da")
        debate = services.debate_recount(debate=debate)
        if state == "featured" and editor is not None:
            services.debate_feature(debate=debate, user=editor)
        elif state == "closed" and moderator is not None:
            services.debate_close(
                debate=debate, user=moderator, note="Sagen behandles i Teknik- og Miljøudvalget."
            )
        elif state == "hidden" and moderator is not None:
            services.debate_hide(
                debate=debate, user=moderator, reason="Gentager en anden debat; se listen."
            )
        made += 1
    return [f"Debates: {Debate.objects.count()} ({made} new), at /debatter/"]
