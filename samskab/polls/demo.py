"""The demo's dialogue: feedback recipients, vox pops and a survey on the demo meetings.

Idempotent: loading twice creates nothing twice and leaves votes and answers alone.
"""

from django.db import transaction

from samskab.feedback.models import FeedbackRecipient
from samskab.polls.models import Option, Poll, Question, Vote
from samskab.polls.timeline import poll_mark_add
from samskab.surveys.models import Choice, Section, Survey
from samskab.surveys.models import Question as SurveyQuestion
from samskab.webcasts.models import Meeting, Person, TimelineMark

UPCOMING_VOXPOP = "Skal kommunen afprøve ti affaldsfraktioner i etageboliger?"
PAST_VOXPOP = "Skal der være en fodgængerovergang ved Vestbyens skole?"
SURVEY_SLUG = "klimaplan-2030"


@transaction.atomic
def dialogue_demo_load(meetings: dict[str, Meeting]) -> None:
    _recipients()
    upcoming, past = meetings["upcoming"], meetings["past"]
    _voxpop(
        upcoming,
        UPCOMING_VOXPOP,
        ["Ja", "Nej", "Ved ikke"],
        item_number="3",
    )
    closed = _voxpop(past, PAST_VOXPOP, ["Ja", "Nej"], item_number="2")
    if closed.status == Poll.Status.DRAFT:
        _past_result(closed, opened_s=95, votes=(41, 9))
    _survey(upcoming)


def _recipients() -> None:
    """Every demo politician accepts messages at an invented address."""
    for person in Person.objects.filter(kind=Person.Kind.POLITICIAN):
        FeedbackRecipient.objects.get_or_create(
            person=person, defaults={"email": f"{person.slug}@demo.samskab.dk"}
        )


def _voxpop(meeting: Meeting, title: str, options: list[str], *, item_number: str) -> Poll:
    poll, created = Poll.objects.get_or_create(
        meeting=meeting,
        title=title,
        defaults={"agenda_item": meeting.agenda_items.filter(number=item_number).first()},
    )
    if created:
        question = Question.objects.create(poll=poll, text=title)
        Option.objects.bulk_create(
            Option(question=question, text=text, position=n) for n, text in enumerate(options)
        )
    return poll


def _past_result(poll: Poll, *, opened_s: int, votes: tuple[int, ...]) -> None:
    """A vox pop that was open during the recorded meeting, with its votes."""
    from datetime import timedelta

    question = poll.questions.get()
    for option, count in zip(question.options.all(), votes, strict=True):
        Vote.objects.bulk_create(
            Vote(poll=poll, question=question, option=option, voter_key=f"v:demo-{option.pk}-{n}")
            for n in range(count)
        )
        Option.objects.filter(pk=option.pk).update(votes=count)
    started = poll.meeting.recording_started_at
    poll.status = Poll.Status.CLOSED
    if started is not None:
        poll.opened_at = started + timedelta(seconds=opened_s)
        poll.closed_at = started + timedelta(seconds=opened_s + 120)
    poll.save()
    if poll.opened_at is not None:  # on the recorded meeting's timeline, as the console does
        for kind, at, offset_s in (
            (TimelineMark.Kind.POLL_OPEN, poll.opened_at, opened_s),
            (TimelineMark.Kind.POLL_CLOSE, poll.closed_at, opened_s + 120),
        ):
            poll_mark_add(poll=poll, kind=kind, at=at, offset_ms=offset_s * 1000)


def _survey(meeting: Meeting) -> Survey:
    survey, created = Survey.objects.get_or_create(
        slug=SURVEY_SLUG,
        defaults={
            "title_da": "Hvad mener du om klimaplanen?",
            "title_en": "What do you think of the climate plan?",
            "intro_da": "Svarene er anonyme. Det tager omkring tre minutter.",
            "intro_en": "Answers are anonymous. It takes about three minutes.",
            "meeting": meeting,
            "agenda_item": meeting.agenda_items.filter(number="2").first(),
            "status": Survey.Status.OPEN,
        },
    )
    if not created:
        return survey
    you = Section.objects.create(survey=survey, position=0, title_da="Om dig", title_en="About you")
    plan = Section.objects.create(
        survey=survey, position=1, title_da="Om klimaplanen", title_en="About the climate plan"
    )

    def ask(section, kind, da, en, *, choices=(), rows=(), **fields):
        question = SurveyQuestion.objects.create(
            survey=survey,
            section=section,
            kind=kind,
            text_da=da,
            text_en=en,
            position=survey.questions.count(),
            **fields,
        )
        for n, (text_da, text_en) in enumerate(choices):
            Choice.objects.create(question=question, text_da=text_da, text_en=text_en, position=n)
        for n, (text_da, text_en) in enumerate(rows):
            Choice.objects.create(
                question=question, text_da=text_da, text_en=text_en, position=n, is_row=True
            )
        return question

    transport = ask(
        you,
        "single",
        "Hvordan kommer du oftest til arbejde eller skole?",
        "How do you usually get to work or school?",
        choices=[("Bil", "Car"), ("Cykel", "Bicycle"), ("Bus eller tog", "Bus or train")],
        required=True,
    )
    ask(
        you,
        "text",
        "Hvad ville få dig til at cykle oftere?",
        "What would make you cycle more often?",
        show_if_choice=transport.choices.get(text_da="Bil"),
    )
    ask(you, "number", "Hvor gammel er du?", "How old are you?", minimum=0, maximum=120)
    ask(
        plan,
        "multiple",
        "Hvilke dele af planen er vigtigst for dig?",
        "Which parts of the plan matter most to you?",
        choices=[
            ("Flere cykelstier", "More cycle paths"),
            ("Solceller på kommunens bygninger", "Solar panels on municipal buildings"),
            ("Mere natur", "More nature"),
        ],
    )
    ask(
        plan,
        "scale5",
        "Hvor tilfreds er du med planen?",
        "How satisfied are you with the plan?",
        required=True,
        low_label_da="meget utilfreds",
        low_label_en="very dissatisfied",
        high_label_da="meget tilfreds",
        high_label_en="very satisfied",
    )
    ask(
        plan,
        "scale10",
        "Hvor sandsynligt er det, at du anbefaler planen til andre?",
        "How likely are you to recommend the plan to others?",
        low_label_da="slet ikke sandsynligt",
        low_label_en="not at all likely",
        high_label_da="meget sandsynligt",
        high_label_en="very likely",
    )
    ask(
        plan,
        "ranking",
        "Sæt indsatserne i rækkefølge",
        "Put the measures in order",
        choices=[("Trafik", "Transport"), ("Energi", "Energy"), ("Affald", "Waste")],
    )
    ask(
        plan,
        "matrix",
        "Hvor enig er du?",
        "How much do you agree?",
        choices=[("Enig", "Agree"), ("Hverken eller", "Neither"), ("Uenig", "Disagree")],
        rows=[
            ("Kommunen gør nok for klimaet", "The municipality does enough for the climate"),
            ("Jeg vil gerne betale mere for grøn energi", "I would pay more for green energy"),
        ],
    )
    ask(plan, "text", "Har du andre kommentarer?", "Any other comments?")
    return survey


def polls_demo_part(context: dict) -> None:
    """The demo's part (core.demo), on the meetings webcasts' part left in the context."""
    dialogue_demo_load(context["meetings"])
