"""Reads of proposals: the public list in each order, filters, states and search, the
archive, related proposals, the map, an author's page, and the council's treatment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
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


def search_vector() -> SearchVector:
    return SearchVector("title", "summary", "text", config="danish")


def search(proposals: QuerySet[Proposal], q: str) -> QuerySet[Proposal]:
    """Title, summary, text and tags: PostgreSQL's Danish full text ("skolerne" finds
    "skole"), else every word somewhere, case-insensitive (SQLite)."""
    q = " ".join(q.split())[:MAX_QUERY]
    if not q:
        return proposals
    if connection.vendor == "postgresql":
        # The expression of migration 0002's GIN index, so the index answers it.
        matching = Proposal.objects.annotate(search_vector=search_vector()).filter(
            search_vector=SearchQuery(q, config="danish", search_type="websearch")
        )
        tagged = Proposal.objects.filter(tags__name__in=q.lower().split())
        return proposals.filter(Q(pk__in=matching.values("pk")) | Q(pk__in=tagged.values("pk")))
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
        .defer("text", "text_html", "answer_text", "answer_html")
        .select_related("author", "area")
        .prefetch_related("tags")
    )


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


def tags_in_use(limit: int = 30) -> list[Tag]:
    """The most used tags (a count over every proposal: kept a minute in the cache)."""
    key = f"proposals:tags-in-use:{limit}"
    found = cache.get(key)
    if found is None:
        found = list(
            Tag.objects.filter(proposals__hidden_at__isnull=True)
            .annotate(n=Count("proposals"))
            .order_by("-n", "name")[:limit]
        )
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
