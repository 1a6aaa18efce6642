"""Reads of hearings: the list, a process with its timeline, the draft of a version with its
highlighted passages, the difference between two versions, answers as the public and staff
see them, and the hvidbog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samskab.comments.models import Comment
from samskab.hearings import drafts
from samskab.hearings.models import Answer, Choice, Paragraph, Passage, Phase, Process, Version
from samskab.hearings.rules import open_phase


def processes_seen_by(user) -> QuerySet[Process]:
    if user.has_perm("hearings.moderate_process"):
        return Process.objects.all()
    return Process.objects.filter(is_published=True)


def process_list(user) -> list[Process]:
    processes = list(processes_seen_by(user).prefetch_related("phases"))
    for process in processes:
        process._phases_cache = list(process.phases.all())  # type: ignore[attr-defined]
    return processes


@dataclass(frozen=True)
class Step:
    phase: Phase
    state: str  # past, open, coming


def timeline(process: Process, now=None) -> list[Step]:
    now = now or timezone.now()
    steps = []
    order = [kind.value for kind in Phase.ORDER]
    for phase in sorted(process.phases.all(), key=lambda p: order.index(p.kind)):
        if phase.is_open(now):
            state = "open"
        elif phase.starts_at > now:
            state = "coming"
        else:
            state = "past"
        steps.append(Step(phase, state))
    return steps


def current_phase(process: Process) -> str | None:
    return open_phase(process)


def latest_version(process: Process) -> Version | None:
    return process.versions.order_by("-number").first()


def version_of(process: Process, number: str | int | None) -> Version | None:
    if number is not None and str(number).isdigit():
        return process.versions.filter(number=int(number)).first()
    return latest_version(process)


# The draft page stays readable on a phone and cheap at 10,000 comments: under each
# paragraph its count and only its latest few comments (the rest on the paragraph's own
# page), and a count link on its most commented passages only (every passage is marked).
LATEST_PER_PARAGRAPH = 3
PASSAGE_LINKS = 5
COMMENTS_PER_PAGE = 20


@dataclass(frozen=True)
class Marked:
    """A commented passage as the draft shows it (plain values: 10,000 model instances
    cost more than the rest of the page)."""

    pk: int
    anchor: str
    start: int
    end: int
    count: int
    quote: str
    url: str

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:59] + "…"
        return f"“{quote}”"


@dataclass
class Shown:
    paragraph: Paragraph
    html: str
    count: int  # comments on passages of this paragraph
    locked: bool
    latest: list[Comment] = field(default_factory=list)  # newest first, each with .passage
    name: str = ""  # for screen readers: its label, or its first words


def _passages_on(version: Version) -> QuerySet[Passage]:
    """The passages shown in the version's text: commented, and not about an earlier one."""
    return Passage.objects.filter(current_version=version, comment_count__gt=0).exclude(
        state=Passage.State.EARLIER
    )


def _published_on(passages: QuerySet[Passage]) -> QuerySet[Comment]:
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Passage),
        object_id__in=passages.values("pk"),
        status=Comment.Status.PUBLISHED,
    )


def _marks(passages: list[Marked]) -> list[drafts.Mark]:
    """Every passage marked; the PASSAGE_LINKS most commented with their count's link."""
    linked = {p.pk for p in sorted(passages, key=lambda p: (-p.count, p.pk))[:PASSAGE_LINKS]}
    return [
        drafts.Mark(
            p.start,
            p.end,
            p.count,
            p.url,
            ngettext(
                "%(count)d comment on the passage %(quote)s",
                "%(count)d comments on the passage %(quote)s",
                p.count,
            )
            % {"count": p.count, "quote": str(p)},
        )
        if p.pk in linked
        else drafts.Mark(p.start, p.end, p.count, "", "")
        for p in passages
    ]


def latest_comments(version: Version, per_paragraph: int, anchors: dict[int, str]) -> dict:
    """The newest `per_paragraph` published comments on each paragraph's passages, by the
    paragraph's anchor (`anchors`: each passage's). Two queries: the comments' ids newest
    first (read until every paragraph has its few), then those comments."""
    chosen: dict[str, list[int]] = {}
    full, wanted = 0, len(set(anchors.values()))
    rows = (
        _published_on(_passages_on(version))
        .order_by("-created_at", "-pk")
        .values_list("pk", "object_id")
    )
    for pk, passage_id in rows.iterator(chunk_size=2000):
        ids = chosen.setdefault(anchors.get(passage_id, ""), [])
        if len(ids) < per_paragraph:
            ids.append(pk)
            full += len(ids) == per_paragraph
            if full >= wanted:
                break
    order = {pk: i for ids in chosen.values() for i, pk in enumerate(ids)}
    latest: dict[str, list[Comment]] = {}
    for comment in sorted(
        Comment.objects.filter(pk__in=order).select_related("author").order_by(),
        key=lambda c: order[c.pk],
    ):
        latest.setdefault(anchors.get(comment.object_id, ""), []).append(comment)
    return latest


EXCERPT_WORDS = 40


def _inline(comment: Comment, passage: Marked | None) -> None:
    """What the draft shows of one of a paragraph's latest comments: its passage, the start
    of its text (the HTML parsed to cut it only when it is long: most comments are short)
    and its link's words, set here rather than in the template, once per comment."""
    body = comment.body_html
    comment.passage = passage  # type: ignore[attr-defined]
    comment.excerpt = (  # type: ignore[attr-defined]
        body if len(body) <= 6 * EXCERPT_WORDS else Truncator(body).words(EXCERPT_WORDS, html=True)
    )
    comment.on_passage = (  # type: ignore[attr-defined]
        _("On %(quote)s: reply or agree") % {"quote": passage} if passage is not None else ""
    )


def draft_view(
    version: Version, *, latest_per_paragraph: int = LATEST_PER_PARAGRAPH
) -> tuple[list[Shown], list[Passage]]:
    """The version's paragraphs with their passages highlighted and counted and their
    latest comments (none asked: no query for them), and the passages about an earlier
    version (with their old text). Five queries, however many comments there are."""
    paragraphs = list(version.paragraphs.all())
    # One reverse() for every passage's address (10,000 passages: 10,000 reverses otherwise).
    url = reverse("hearings:passage", args=[0]).rsplit("0/", 1)[0] + "%d/"
    passages = [
        Marked(pk, anchor, start, end, count, quote, url % pk)
        for pk, anchor, start, end, count, quote in _passages_on(version).values_list(
            "pk", "current_anchor", "current_start", "current_end", "comment_count", "quote"
        )
    ]
    by_anchor: dict[str, list[Marked]] = {}
    for passage in passages:
        by_anchor.setdefault(passage.anchor, []).append(passage)
    by_pk = {passage.pk: passage for passage in passages}
    latest = (
        latest_comments(version, latest_per_paragraph, {p.pk: p.anchor for p in passages})
        if passages and latest_per_paragraph > 0
        else {}
    )
    for comments in latest.values():
        for comment in comments:
            _inline(comment, by_pk.get(comment.object_id))
    locked = set(version.locked or [])
    shown = []
    for paragraph in paragraphs:
        on = by_anchor.get(paragraph.anchor, [])
        shown.append(
            Shown(
                paragraph,
                drafts.highlighted(paragraph.text, _marks(on)),
                sum(p.count for p in on),
                paragraph.section in locked,
                latest.get(paragraph.anchor, []),
                paragraph.label or Truncator(paragraph.text).words(6),
            )
        )
    earlier = list(
        Passage.objects.filter(
            process=version.process, state=Passage.State.EARLIER, comment_count__gt=0
        )
        .select_related("version")
        .order_by("version__number", "anchor", "start")[:200]
    )
    return shown, earlier


def paragraph_of(version: Version, anchor: str) -> Paragraph | None:
    return version.paragraphs.filter(anchor=anchor).first()


def paragraph_comments(version: Version, paragraph: Paragraph) -> QuerySet[Comment]:
    """Every published comment on the paragraph's passages in the version, newest first
    (paged by the view: a count and one page, whatever the number)."""
    passages = _passages_on(version).filter(current_anchor=paragraph.anchor)
    return _published_on(passages).select_related("author").order_by("-created_at", "-pk")


def with_passages(comments: Sequence[Comment]) -> list[Comment]:
    """The comments of one page, each with its passage (`.passage`): one query."""
    passages = Passage.objects.in_bulk({c.object_id for c in comments})
    for comment in comments:
        comment.passage = passages.get(comment.object_id)  # type: ignore[attr-defined]
    return list(comments)


def paragraph_highlighted(version: Version, paragraph: Paragraph) -> str:
    """The paragraph's text with its commented passages marked (no count links)."""
    passages = _passages_on(version).filter(current_anchor=paragraph.anchor)
    marks = [
        drafts.Mark(start, end, 0, "", "")
        for start, end in passages.values_list("current_start", "current_end")
    ]
    return drafts.highlighted(paragraph.text, marks)


def sentences_of(paragraph: Paragraph) -> list[str]:
    return [paragraph.text[a:b] for a, b in drafts.sentences(paragraph.text)]


def difference(old: Version, new: Version) -> list[drafts.DiffRow]:
    def rows(version: Version):
        return list(version.paragraphs.values_list("anchor", "label", "text"))

    return drafts.difference(rows(old), rows(new))


def passage_paragraph(passage: Passage) -> Paragraph | None:
    return Paragraph.objects.filter(
        version_id=passage.current_version_id, anchor=passage.current_anchor
    ).first()


def answers_public(process: Process) -> QuerySet[Answer]:
    """Answers whose authors agreed to publication: shown with the name they chose."""
    return process.answers.filter(consent=True).order_by("number").prefetch_related("themes")


def answers_for_staff(
    process: Process, *, theme: int | None = None, section: str = ""
) -> QuerySet[Answer]:
    answers = process.answers.order_by("number").prefetch_related("themes")
    if theme:
        answers = answers.filter(themes__pk=theme)
    if section:
        answers = _with_section(answers, section)
    return answers


def _with_section(answers: QuerySet[Answer], section: str) -> QuerySet[Answer]:
    """Answers tagged with the section: PostgreSQL asks its jsonb containment (@>); SQLite
    has no JSON containment in Django, so the (few thousand) tag lists are read here."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return answers.filter(sections__contains=[section])
    tagged = [pk for pk, sections in answers.values_list("pk", "sections") if section in sections]
    return answers.filter(pk__in=tagged)


def hvidbog(process: Process) -> list:
    """Each theme with its answers and the municipality's answer."""
    return list(
        process.themes.annotate(n=Count("answers")).prefetch_related("answers").order_by("position")
    )


def choice_counts(process: Process) -> dict[int, list[tuple[str, int]]]:
    counts: dict[tuple[int, int], int] = {
        (row["question"], row["index"]): row["n"]
        for row in Choice.objects.filter(question__process=process)
        .values("question", "index")
        .annotate(n=Count("pk"))
    }
    return {
        q.pk: [(choice, counts.get((q.pk, i), 0)) for i, choice in enumerate(q.choice_list())]
        for q in process.questions.all()
    }


def my_choices(process: Process, user) -> dict[int, int]:
    if not user.is_authenticated:
        return {}
    return dict(
        Choice.objects.filter(question__process=process, user=user).values_list("question", "index")
    )


def sections_of(version: Version | None) -> list[tuple[str, str]]:
    """(anchor, label) of each § of the version, for tagging answers by section."""
    if version is None:
        return []
    seen: dict[str, str] = {}
    for section, label in version.paragraphs.exclude(section="").values_list("section", "label"):
        seen.setdefault(section, label.split(",")[0])
    return list(seen.items())


def phase_label(kind: str | None) -> str:
    if kind is None:
        return _("No phase is open")
    return str(Phase.Kind(kind).label)


def published_answer_count(process: Process) -> int:
    return process.answers.filter(Q(consent=True)).count()
