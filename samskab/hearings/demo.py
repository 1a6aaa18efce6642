"""The demo's hearings: a local plan for a new neighbourhood by the park, once in each phase
(debate, proposals, draft, hearing, result), with its area on the map. The draft-phase plan
has two versions with comments on passages that followed or lost their text; the hearing
and result plans have answers, one from an organisation, tagged and answered. Registered
with core.demo; idempotent (a process is found by its title and left as it is)."""

import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samskab.accounts.models import User
from samskab.comments.models import Comment
from samskab.comments.services import comment_post
from samskab.hearings import services
from samskab.hearings.models import Phase, Process
from samskab.places.services import place_set

AREA = [
    (9.600, 55.950), (9.612, 55.948), (9.618, 55.954), (9.610, 55.959), (9.600, 55.957),
    (9.600, 55.950),
]  # fmt: skip

DRAFT_1 = """# Lokalplan 101 – Boliger ved Åparken

Lokalplanen giver mulighed for op til 80 boliger nord for Åparken og sikrer, at parken
forbindes med byen.

## § 1. Formål

Formålet er at give mulighed for tæt-lav boligbebyggelse. Området skal have grønne
friarealer, der er åbne for alle.

Stk. 2. Stier skal forbinde området med Åparken og Midtbyen.

## § 2. Bebyggelsens omfang

Bygninger må højst opføres i 2 etager og være højst 8,5 meter høje. Tage skal være røde.

Stk. 2. Der må ikke opføres carporte mod vejen.

## § 3. Ubebyggede arealer

Træer med en stammediameter over 20 cm skal bevares. Legepladsen skal ligge centralt.

## § 4. Trafik

Området vejbetjenes fra Åvej. Der må ikke være gennemkørsel til Parkvej.
"""

DRAFT_2 = (
    DRAFT_1.replace(
        "Bygninger må højst opføres i 2 etager og være højst 8,5 meter høje. Tage skal være røde.",
        "Bygninger må højst opføres i 2 etager og være højst 8,5 meter høje. Tagene skal være "
        "røde eller sorte.",
    )
    .replace(
        "Stk. 2. Der må ikke opføres carporte mod vejen.",
        "Stk. 2. Carporte skal placeres bag husene og være af træ.",
    )
    .replace(
        "## § 4. Trafik",
        "## § 4. Trafik\n\nCykelparkering skal anlægges ved hver opgang.",
    )
)

# (title suffix, the phase open now)
PLANS = [
    ("debat", "debate"),
    ("forslag", "proposals"),
    ("udkast", "draft"),
    ("høring", "hearing"),
    ("resultat", "result"),
]


def _person(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _phases(process: Process, current: str) -> None:
    now = timezone.now()
    order = [kind.value for kind in Phase.ORDER]
    at = order.index(current)
    for i, kind in enumerate(order):
        starts = now + timedelta(days=14 * (i - at)) - timedelta(days=3)
        ends = None if kind == "result" else starts + timedelta(days=14)
        Phase.objects.update_or_create(
            process=process,
            kind=kind,
            defaults={"starts_at": starts, "ends_at": ends, "announced_at": starts},
        )


def _pdf(text: str) -> SimpleUploadedFile:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return SimpleUploadedFile("bilag.pdf", bytes(pdf.output()), "application/pdf")


def _make(title: str, current: str, editor: User, people: list[User]) -> Process:
    process = Process.objects.create(
        title=title,
        summary=(
            "Kommunen vil give mulighed for nye boliger ved Åparken. Vær med til at skrive "
            "lokalplanen: svar på spørgsmål, kom med forslag, kommentér udkastet og send et "
            "høringssvar."
        ),
        summary_html="",
        is_published=True,
        created_by=editor,
    )
    services.process_update(
        process=process,
        user=editor,
        title=title,
        summary=process.summary,
        result=(
            "Byrådet vedtog lokalplanen med ændringer: tage må også være sorte, og carporte "
            "skal ligge bag husene. Stien langs åen bevares."
            if current == "result"
            else ""
        ),
        is_published=True,
    )
    area = {"type": "Polygon", "coordinates": [[list(p) for p in AREA]]}
    place_set(target=process, user=editor, area=json.dumps(area), address="Nord for Åparken")
    question = services.question_add(
        process=process,
        user=editor,
        text="Hvad skal friarealerne bruges til?",
        choices="Leg\nNatur og stilhed\nSport",
    )
    services.question_add(process=process, user=editor, text="Hvad er vigtigst for dig i området?")
    _phases(process, "debate")
    for person, index in zip(people, (0, 1, 1, 2), strict=False):
        services.question_choose(question=question, user=person, index=index)
    comment_post(target=question, body="Plads til både leg og natur, tak.", author=people[0])
    _phases(process, "proposals")
    services.proposal_create(
        process=process,
        user=people[1],
        title="Bevar stien langs åen",
        text="Stien langs åen bruges hver dag. Skriv i lokalplanen, at den skal bevares.",
    )
    _phases(process, "draft")
    v1 = services.version_publish(
        process=process, user=editor, markdown=DRAFT_1, changelog="Første udkast.", locked=["p4"]
    )
    services.passage_comment(
        version=v1, user=people[0], body="Sorte tage passer bedre til området.",
        anchor="p2-stk1", first_sentence=1,
    )  # fmt: skip
    services.passage_comment(
        version=v1, user=people[2], body="Carporte mod vejen er praktiske for ældre.",
        anchor="p2-stk2", first_sentence=0,
    )  # fmt: skip
    passage, comment = services.passage_comment(
        version=v1, user=people[3], body="Godt, at stierne er med.",
        anchor="p1-stk2", first_sentence=0,
    )  # fmt: skip
    if comment.status == comment.Status.PUBLISHED:  # a new account's first post may be held
        comment_post(
            target=passage, body="Enig, især stien til skolen.", author=people[1], parent=comment
        )
    services.version_publish(
        process=process,
        user=editor,
        markdown=DRAFT_2,
        changelog="Tage må også være sorte; carporte bag husene; cykelparkering tilføjet.",
    )
    if current in ("hearing", "result"):
        _phases(process, "hearing")
        services.answer_submit(
            process=process,
            user=people[1],
            name="Karen Holm",
            organisation="Grundejerforeningen Åparken",
            text="Grundejerforeningen ønsker, at stien langs åen bevares, og at der ikke "
            "bliver gennemkørsel til Parkvej.",
            consent=True,
            files=[_pdf("Grundejerforeningen Aaparken: indsigelse og kort over stien.")],
        )
        services.answer_submit(
            process=process,
            user=people[2],
            name="Ole",
            text="Jeg bor på Parkvej og er bekymret for trafikken.",
            consent=False,
        )
        stier = services.theme_add(process=process, user=editor, name="Stier og natur")
        trafik = services.theme_add(process=process, user=editor, name="Trafik")
        first, second = process.answers.order_by("number")
        services.answer_tag(
            answer=first, user=editor, themes=[stier, trafik], sections=["p1", "p4"]
        )
        services.answer_tag(answer=second, user=editor, themes=[trafik], sections=["p4"])
        services.theme_respond(
            theme=stier, user=editor, response="Stien langs åen bevares og nævnes i § 1, stk. 2."
        )
    _phases(process, current)
    # The demo's people wrote these days ago: the next plan's same words are no repetition
    # to the spam score.
    Comment.objects.filter(author__in=people).update(created_at=timezone.now() - timedelta(days=2))
    return process


def hearings_demo_part(context: dict) -> list[str]:
    from samskab.accounts.demo import DEMO_CITIZEN

    editor = User.objects.filter(email="redaktor@demo.samskab.dk").first()
    if editor is None:
        return ["Hearings: no demo editor, none made"]
    citizen = User.objects.filter(email=DEMO_CITIZEN).first() or _person(
        "hoering-anne@demo.samskab.dk", "Anne"
    )
    people = [
        citizen,
        _person("hoering-karen@demo.samskab.dk", "Karen"),
        _person("hoering-ole@demo.samskab.dk", "Ole"),
        _person("hoering-yasmin@demo.samskab.dk", "Yasmin"),
    ]
    made = 0
    for suffix, current in PLANS:
        title = f"Lokalplan 101 – Boliger ved Åparken ({suffix})"
        if Process.objects.filter(title=title).exists():
            continue
        _make(title, current, editor, people)
        made += 1
    return [f"Hearings: {Process.objects.count()} ({made} new), at /hoeringer/"]
