"""Reads of proposals: the public list in each order, filters, states and search, the
archive, related proposals, the map, an author's page, and the council's treatment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from samskab.debates.models import Area, Tag
from samskab.proposals.models import Proposal, ProposalMessage, archive_age
from samskab.votes.models import BindingVote

if TYPE_CHECKING:
    from samskab.recordings.models import Clip
    from samskab.webcasts.models import AgendaItem, Meeting

MAX_QUERY = 200
MAX_WORDS = 8


class Order:
    HOT = "hot"
    SUPPORTS = "supports"
    NEW = "new"
    COMMENTED = "commented"
    ALL = (HOT, SUPPORTS, NEW, COMMENTED)


STATES = (
    "open",
    "successful",
    "evaluating",
    "accepted",
    "rejected",
    "agenda",
    "retired",
)


def _archived_q(now=None) -> Q:
    cutoff = (now or timezone.now()) - archive_age()
    return Q(succeeded_at__isnull=True, created_at__lt=cutoff)


def proposals_public() -> QuerySet[Proposal]:
    return Proposal.objects.filter(hidden_at__isnull=True)


def proposals_seen_by(user) -> QuerySet[Proposal]:
    if user.has_perm("proposals.moderate_proposal"):
        return Proposal.objects.all()
    if user.is_authenticated:
        return Proposal.objects.filter(Q(hidden_at__isnull=True) | Q(author=user))
    return proposals_public()


def with_state(proposals: QuerySet[Proposal], state: str) -> QuerySet[Proposal]:
    if state == "open":
        return proposals.filter(retired_at__isnull=True, succeeded_at__isnull=True, answer="")
    if state == "successful":
        return proposals.filter(retired_at__isnull=True, succeeded_at__isnull=False, answer="")
    if state == "retired":
        return proposals.filter(retired_at__isnull=False)
    if state in Proposal.Answer.values and state:
        return proposals.filter(retired_at__isnull=True, answer=state)
    return proposals


def ordered(proposals: QuerySet[Proposal], order: str) -> QuerySet[Proposal]:
    if order == Order.NEW:
        return proposals.order_by("-created_at", "-pk")
    if order == Order.SUPPORTS:
        return proposals.order_by("-support_count", "-pk")
    if order == Order.COMMENTED:
        return proposals.order_by("-comment_count", "-pk")
    return proposals.order_by("-hot_score", "-pk")


def search(proposals: QuerySet[Proposal], q: str) -> QuerySet[Proposal]:
    """Title, summary, text and tags: PostgreSQL's Danish full text ("skolerne" finds
    "skole") in the column the trigger of migration 0005 keeps, with its GIN index, or a
    tag of one of the words; else every word somewhere, case-insensitive (SQLite)."""
    q = " ".join(q.split())[:MAX_QUERY]
    if not q:
        return proposals
    if connection.vendor == "postgresql":
        condition = Q(search_vector=SearchQuery(q, config="danish", search_type="websearch"))
        # The tags' ids first (a handful of rows), so the link table is asked by ids alone.
        tag_ids = list(
            Tag.objects.filter(name__in=q.lower().split()[:MAX_WORDS]).values_list("pk", flat=True)
        )
        if tag_ids:
            # Asked of each proposal the page's index scan reaches, through the link
            # table's unique index: a few dozen probes. Written out so that PostgreSQL
            # cannot turn it into a set of every tagged proposal built first (22,000 ids
            # for a common tag at 100,000 proposals, 15-110 ms a search): `OFFSET 0`
            # keeps the EXISTS from being rewritten as a hashable `IN`.
            links = connection.ops.quote_name(Proposal.tags.through._meta.db_table)
            proposals_table = connection.ops.quote_name(Proposal._meta.db_table)
            condition |= Q(
                RawSQL(  # noqa: S611  # our table names; the tag ids are a parameter
                    f"EXISTS (SELECT 1 FROM {links} link "  # noqa: S608  # our table names
                    f"WHERE link.proposal_id = {proposals_table}.id "
                    "AND link.tag_id = ANY(%s) OFFSET 0)",
                    [tag_ids],
                    output_field=BooleanField(),
                )
            )
        return proposals.filter(condition)
    condition = Q()
    for word in q.split()[:MAX_WORDS]:
        word = word.strip('"')
        condition &= (
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(text__icontains=word)
            | Q(pk__in=Proposal.objects.filter(tags__name__icontains=word).values("pk"))
        )
    return proposals.filter(condition)


def proposal_list(
    *,
    order: str = Order.HOT,
    tag: str = "",
    area: Area | None = None,
    state: str = "",
    q: str = "",
    archived: bool = False,
) -> QuerySet[Proposal]:
    """The public proposals; the archived ones only with `archived` (they are listed
    apart), the others without it."""
    proposals = proposals_public()
    proposals = proposals.filter(_archived_q()) if archived else proposals.exclude(_archived_q())
    if tag:
        proposals = proposals.filter(tags__name=tag)
    if area is not None:
        proposals = proposals.filter(area=area)
    if state in STATES:
        proposals = with_state(proposals, state)
    proposals = search(proposals, q)
    return (
        ordered(proposals, order if order in Order.ALL else Order.HOT)
        # The long texts are not on the cards; the API's detail reads its own row.
        .defer("text", "text_html", "answer_text", "answer_html", "search_vector")
        .select_related("author", "area")
        .prefetch_related("tags")
    )


ORDER_FIELDS = {
    Order.HOT: "hot_score",
    Order.SUPPORTS: "support_count",
    Order.NEW: "created_at",
    Order.COMMENTED: "comment_count",
}


@dataclass(frozen=True)
class Page:
    """One page of a list read by keyset (no COUNT, no OFFSET: the page after a proposal
    starts in the order's index where that proposal is). `after` and `before` are the
    proposals the next and previous pages start from, or None when there are none."""

    proposals: list[Proposal]
    after: int | None
    before: int | None


def page_of(
    proposals: QuerySet[Proposal],
    order: str,
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = 20,
) -> Page:
    """The page of `proposals` (ordered by `ordered`) that follows the proposal `after`, or
    precedes `before`, or the first. A proposal named that no longer exists gives the first
    page; one whose place in the order moved since (a support) starts the page where it is
    now, as any live list does."""
    field = ORDER_FIELDS.get(order, ORDER_FIELDS[Order.HOT])
    start = after or before
    boundary = None
    if start is not None:
        boundary = Proposal.objects.filter(pk=start).values_list(field, flat=True).first()
    if boundary is None:
        rows = list(proposals[: size + 1])
        return Page(rows[:size], rows[size - 1].pk if len(rows) > size else None, None)
    if after is not None:
        # `field <= boundary` as well: the index scan starts at the boundary.
        rows = list(
            proposals.filter(
                Q(**{f"{field}__lte": boundary}),
                Q(**{f"{field}__lt": boundary}) | Q(**{field: boundary, "pk__lt": after}),
            )[: size + 1]
        )
        # Before its first there is at least the proposal it follows.
        return Page(
            rows[:size],
            rows[size - 1].pk if len(rows) > size else None,
            rows[0].pk if rows else None,
        )
    rows = list(
        proposals.filter(
            Q(**{f"{field}__gte": boundary}),
            Q(**{f"{field}__gt": boundary}) | Q(**{field: boundary, "pk__gt": before}),
        ).reverse()[: size + 1]
    )
    more_before = len(rows) > size
    rows = rows[:size][::-1]
    return Page(rows, rows[-1].pk if rows else None, rows[0].pk if more_before else None)


def related(proposal: Proposal, limit: int = 3) -> list[Proposal]:
    """Other public proposals sharing the most tags with this one."""
    tag_ids = list(proposal.tags.values_list("pk", flat=True))
    if not tag_ids:
        return []
    return list(
        proposals_public()
        .exclude(pk=proposal.pk)
        .filter(tags__in=tag_ids)
        .annotate(shared=Count("tags"))
        .order_by("-shared", "-support_count", "-pk")
        .select_related("author")[:limit]
    )


LIST_CACHE_S = 15
LIST_VERSION_KEY = "proposals:list-version"


def list_version() -> int:
    """Moves on whenever a proposal is saved or deleted (apps.py), so the cached lists
    (views._results) show a new, hidden or answered proposal at once."""
    version = cache.get(LIST_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(LIST_VERSION_KEY, version, None)
    return int(version)


def list_changed(**_kwargs) -> None:
    try:
        cache.incr(LIST_VERSION_KEY)
    except ValueError:  # not there (a new or cleared cache): any new value will do
        cache.set(LIST_VERSION_KEY, list_version() + 1, None)


TAGS_FROM = 1000


def tags_in_use(limit: int = 30) -> list[Tag]:
    """The tags most used by the newest `TAGS_FROM` public proposals (kept a minute in the
    cache). Counting the links of every proposal took 0.6 s at 100,000 proposals; the
    newest few thousand are both cheap to count (the order's index, then the link table's)
    and what a visitor means by the tags in use."""
    key = f"proposals:tags-in-use:{limit}"
    found = cache.get(key)
    if found is None:
        newest = proposals_public().order_by("-created_at", "-pk").values("pk")[:TAGS_FROM]
        if connection.vendor == "postgresql":
            # As an array computed once, the links are read through their index on the
            # proposal (3 ms at 100,000 proposals); as `IN (subquery)` PostgreSQL hashed
            # the newest and scanned every link (36 ms).
            sql, params = newest.query.sql_with_params()
            links = connection.ops.quote_name(Proposal.tags.through._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT tag_id, count(*) FROM {links} "  # noqa: S608  # our table, the ORM's SQL
                    f"WHERE proposal_id = ANY(ARRAY({sql})) GROUP BY tag_id",
                    params,
                )
                counts = dict(cursor.fetchall())
        else:
            rows = (
                Proposal.tags.through.objects.filter(proposal_id__in=newest)
                .values("tag_id")
                .annotate(n=Count("pk"))
            )
            counts = {row["tag_id"]: row["n"] for row in rows}
        tags = Tag.objects.in_bulk(list(counts))
        found = sorted(
            (tags[pk] for pk in counts if pk in tags), key=lambda t: (-counts[t.pk], t.name)
        )[:limit]
        cache.set(key, found, 60)
    return found


def messages_of(proposal: Proposal) -> list[ProposalMessage]:
    return list(proposal.messages.filter(hidden_at__isnull=True)[:20])


def by_author(user) -> QuerySet[Proposal]:
    return (
        proposals_public()
        .filter(author=user)
        .order_by("-created_at", "-pk")
        .select_related("author", "area")
    )


@dataclass(frozen=True)
class Treatment:
    """How the council treats a proposal: the meeting and item, and once it is held, the
    clip of the item (or the moment the item starts in the recording)."""

    meeting: Meeting
    item: AgendaItem
    held: bool
    clip: Clip | None
    start_ms: int | None

    @property
    def video_url(self) -> str:
        if self.clip is not None:
            return self.clip.get_absolute_url()
        if self.start_ms is not None:
            return f"{self.meeting.get_absolute_url()}?t={self.start_ms // 1000}"
        return ""

    @property
    def embed_url(self) -> str:
        from django.urls import reverse

        start = self.clip.start_ms if self.clip is not None else self.start_ms
        if start is None:
            return ""
        base = reverse("webcasts:meeting_embed", kwargs={"pk": self.meeting.pk})
        return f"{base}?t={start // 1000}"


def treatment(proposal: Proposal) -> Treatment | None:
    from samskab.recordings.models import Clip
    from samskab.webcasts.models import Meeting, TimelineMark

    item = proposal.agenda_item
    if item is None:
        return None
    meeting = item.meeting
    if not meeting.is_published:
        return None
    held = meeting.status == Meeting.Status.ENDED
    clip = None
    start_ms = None
    if held and item.is_public:
        clip = Clip.objects.filter(agenda_item=item).order_by("-created_at", "-pk").first()
        if clip is None:
            start_ms = (
                TimelineMark.objects.filter(
                    meeting=meeting,
                    agenda_item=item,
                    kind=TimelineMark.Kind.ITEM,
                    is_undone=False,
                )
                .order_by("offset_ms")
                .values_list("offset_ms", flat=True)
                .first()
            )
    return Treatment(meeting, item, held, clip, start_ms)


def on_agenda_of(meeting) -> list[Proposal]:
    """The public proposals on the meeting's agenda items (the agenda's links back)."""
    return list(
        proposals_public()
        .filter(agenda_item__meeting=meeting)
        .select_related("agenda_item")
        .order_by("agenda_item__position", "pk")
    )


def vote_of(proposal: Proposal) -> BindingVote | None:
    """The binding vote the proposal started (votes.services.vote_start_from), if any."""
    return (
        BindingVote.objects.filter(
            origin_type=ContentType.objects.get_for_model(Proposal), origin_id=proposal.pk
        )
        .order_by("pk")
        .first()
    )


def support_assurance() -> str:
    """The MitID level supporting a proposal asks for (the site settings: proposals have no
    process of their own)."""
    from samskab.core.models import SiteSettings

    return SiteSettings.current().proposal_support_assurance
