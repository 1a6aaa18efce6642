"""Every write to proposals: making one, supporting, counting, retiring, writing to the
supporters, and what staff do (answer, agenda, hide).

A support is the kernel's (`supports`): one row per person and proposal, a unique
constraint. The proposal's own counter, its hot score and its success move in the
transaction that adds the support (`support_counted`, from a signal on the support's row),
so a support given through any door (the page, the API, the kernel's button) counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, timedelta
from math import ceil
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from samskab.activity.services import event_record
from samskab.comments.embeds import VideoLink, video_links
from samskab.core.markdown import render_markdown
from samskab.core.text import clean_text
from samskab.debates import scoring
from samskab.debates.models import Area, Tag
from samskab.debates.services import MAX_TAGS
from samskab.follows.services import FollowRefused, follow_ensure, follow_step
from samskab.moderation import words
from samskab.moderation.selectors import active_ban, word_rules
from samskab.places.services import PlaceRefused, place_set
from samskab.proposals.models import (
    MESSAGE_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Proposal,
    ProposalMessage,
    archive_age,
)
from samskab.supports.models import Support
from samskab.supports.services import Counter as SupportCounter
from samskab.supports.services import SupportRefused, support_add, support_add_at_once
from samskab.votes.models import BindingVote
from samskab.votes.services import vote_start_from
from samskab.webcasts.models import AgendaItem, Meeting

CENSUS_AGE = 16  # residents of this age and over are the census' share (Madrid: over 16)


class ProposalRefused(Exception):
    """A write that may not happen; the message is for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- the threshold ----------------------------------------------------------------------


def _census_residents() -> int:
    from samskab.accounts.models import CensusRecord
    from samskab.accounts.selectors import census_current

    current = census_current()
    if current is None:
        return 0
    key = f"proposals:census-adults:{current.pk}"
    found = cache.get(key)
    if found is None:
        today = timezone.localdate()
        try:
            born_by = today.replace(year=today.year - CENSUS_AGE)
        except ValueError:  # 29 February
            born_by = today.replace(year=today.year - CENSUS_AGE, day=28)
        found = CensusRecord.objects.filter(census_import=current, birth_date__lte=born_by).count()
        cache.set(key, found, 3600)
    return found


def threshold() -> int:
    """Supports a proposal needs to succeed: the share of the census' residents of 16 and
    over when that setting is given and a census is loaded, else the fixed number."""
    per_mille = settings.PROPOSALS_SUPPORTS_NEEDED_PER_MILLE
    if per_mille > 0:
        residents = _census_residents()
        if residents:
            return max(1, ceil(residents * per_mille / 1000))
    return max(1, settings.PROPOSALS_SUPPORTS_NEEDED)


# --- making one -------------------------------------------------------------------------


def _own_host() -> str:
    return urlsplit(settings.SITE_URL).netloc


def video_of(url: str) -> VideoLink | None:
    """The video a link names, if it is on a host we know (YouTube, Vimeo, our meetings)."""
    found = video_links(url.strip(), limit=1, own_host=_own_host()) if url else []
    return found[0] if found else None


def _screen(*, author, text: str, language: str, what: str) -> None:
    if active_ban(user=author) is not None:
        raise ProposalRefused(_("You may no longer post here."))
    if words.matches(text, word_rules(language)):
        if what == "message":
            raise ProposalRefused(
                _("Your message contains words that are not allowed here. Please rephrase it.")
            )
        raise ProposalRefused(
            _("Your proposal contains words that are not allowed here. Please rephrase it.")
        )


def proposal_create(
    *,
    author,
    title: str,
    summary: str,
    text: str,
    video_url: str = "",
    tags: Iterable[str] = (),
    area: Area | None = None,
    language: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
) -> Proposal:
    if not author.has_perm("proposals.add_proposal"):
        raise ProposalRefused(_("Sign in to make a proposal."))
    title = clean_text(title, line=True).strip()
    summary = clean_text(summary, line=True).strip()
    text = clean_text(text).strip()
    video_url = video_url.strip()
    tags = list(tags)
    if not title:
        raise ProposalRefused(_("A proposal needs a title."))
    if not summary or not text:
        raise ProposalRefused(_("A proposal needs a summary and a text."))
    if len(title) > TITLE_MAX or len(summary) > SUMMARY_MAX or len(text) > TEXT_MAX:
        raise ProposalRefused(_("The title, the summary or the text is too long."))
    if len(tags) > MAX_TAGS:
        raise ProposalRefused(_("Give at most %(n)d tags.") % {"n": MAX_TAGS})
    if video_url and video_of(video_url) is None:
        raise ProposalRefused(
            _("The video link must go to YouTube, Vimeo or one of our own meetings.")
        )
    _screen(
        author=author,
        text=f"{title}\n{summary}\n{text}\n{' '.join(tags)}",
        language=language,
        what="proposal",
    )
    now = timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.create(
            title=title,
            summary=summary,
            text=text,
            text_html=render_markdown(text),
            video_url=video_url,
            author=author,
            language=language,
            area=area,
            created_at=now,
            hot_score=scoring.hot_score(created_at=now, votes=0, comments=0),
        )
        proposal.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
        address = clean_text(address, line=True).strip()[:200] or (area.name if area else "")
        if address or latitude is not None:
            try:
                place_set(
                    target=proposal,
                    user=author,
                    latitude=latitude,
                    longitude=longitude,
                    address=address,
                )
            except PlaceRefused as refusal:
                raise ProposalRefused(refusal.message) from None
    return proposal


# --- supporting -------------------------------------------------------------------------


def _why_not_supportable(proposal: Proposal) -> str:
    if proposal.is_hidden:
        return _("This proposal is hidden; it takes no supports.")
    if proposal.is_retired:
        return _("This proposal was retired by its author; it takes no supports.")
    if proposal.archived:
        return _("This proposal is archived; it can no longer be supported.")
    return ""


def _refuse_unverified(proposal: Proposal) -> None:
    # The proposal's own refusal first (an archived one is archived for everyone), read
    # again since the caller's copy may be old.
    refusal = _why_not_supportable(Proposal.objects.only(*SUPPORT_FIELDS).get(pk=proposal.pk))
    raise ProposalRefused(
        refusal
        or _(
            "Only verified residents can support proposals. Verify that you live in "
            "the municipality, then support it."
        )
    )


def proposal_support(*, proposal: Proposal, user) -> Support:
    """A verified resident supports the proposal (once) and follows it, so they hear of
    its answer and its author's messages.

    On PostgreSQL one statement (supports.services.support_add_at_once) checks that the
    proposal is still open, adds the support and the follow, and moves both counters and
    the hot score; only the support that reaches the threshold does more. Elsewhere
    (SQLite) the same in a short transaction of several statements."""
    if user is None or not user.is_authenticated:
        raise ProposalRefused(_("Sign in to support."))
    if not user.is_resident_verified:
        _refuse_unverified(proposal)
    if connection.vendor != "postgresql":
        return _support_in_steps(proposal=proposal, user=user)
    # The caller's copy (read in this request) is asked first and the statement asks the
    # row again; a copy that says no is read again before the refusal (it may be from
    # before the proposal succeeded, and a successful one is never archived).
    if _why_not_supportable(proposal):
        proposal = Proposal.objects.only(*SUPPORT_FIELDS).get(pk=proposal.pk)
        refusal = _why_not_supportable(proposal)
        if refusal:
            raise ProposalRefused(refusal)
    try:
        added = support_add_at_once(
            target=proposal,
            user=user,
            counter=_support_counter(),
            steps=[follow_step(target=proposal, user=user)],
        )
    except (SupportRefused, FollowRefused) as error:
        raise ProposalRefused(error.message) from None
    if not added.open:
        fresh = Proposal.objects.only(*SUPPORT_FIELDS).filter(pk=proposal.pk).first()
        raise ProposalRefused(
            (fresh and _why_not_supportable(fresh)) or _("This proposal takes no supports.")
        )
    if added.support is None:
        raise ProposalRefused(_("You already support this."))
    count, succeeded_at = added.row or (0, None)
    if succeeded_at is None:
        _success_check(proposal_id=proposal.pk, count=count)
    return added.support


def _support_counter() -> SupportCounter:
    """The proposal's part of a support's statement: open (not hidden, retired or
    archived, as `_why_not_supportable`), its counter and hot score moved, and what the
    threshold needs read back."""
    cutoff = timezone.now() - archive_age()
    return SupportCounter(
        open="t.hidden_at IS NULL AND t.retired_at IS NULL "
        "AND (t.succeeded_at IS NOT NULL OR t.created_at >= %s)",
        open_params=[cutoff],
        moves="support_count = t.support_count + 1, hot_score = "
        + scoring.hot_score_sql(
            created_at="t.created_at", votes="t.support_count + 1", comments="t.comment_count"
        ),
        returning="t.support_count, t.succeeded_at",
    )


def _support_in_steps(*, proposal: Proposal, user) -> Support:
    # Read again (the caller's copy may be old); the long texts are not needed.
    proposal = Proposal.objects.only(*SUPPORT_FIELDS).get(pk=proposal.pk)
    refusal = _why_not_supportable(proposal)
    if refusal:
        raise ProposalRefused(refusal)
    try:
        with transaction.atomic():
            # Following first: the support that tips it over tells its supporter too. The
            # proposal was just read and is not hidden, so the follow needs no read of its
            # own; a refused support takes the follow back with it.
            follow_ensure(target=proposal, user=user)
            support = support_add(target=proposal, user=user)
    except (SupportRefused, FollowRefused) as error:
        raise ProposalRefused(error.message) from None
    return support


# What supporting reads of a proposal: its rules (hidden, retired, archived, successful)
# and what `core.targets` asks of it.
SUPPORT_FIELDS = ("pk", "author_id", "created_at", "hidden_at", "retired_at", "succeeded_at")


def _aware(value):
    """A datetime read back by a raw statement: SQLite gives text in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def support_counted(*, proposal_id: int, step: int) -> None:
    """A support row was added (+1) or removed (-1): the counter, the hot score and, at the
    threshold, success, in the transaction that changed the row. The conditional UPDATE
    lets exactly one support turn a proposal successful."""
    # The counter moves in the database (the row is locked by the UPDATE from here to the
    # commit) and comes back with what the hot score needs: two short statements.
    table = connection.ops.quote_name(Proposal._meta.db_table)
    # The table name is ours; every value is a placeholder.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET support_count = support_count + %s WHERE id = %s "  # noqa: S608  # our table name
            "RETURNING support_count, comment_count, created_at",
            [step, proposal_id],
        )
        row = cursor.fetchone()
        if row is None:
            return
        count, comments, created_at = row
        cursor.execute(
            f"UPDATE {table} SET hot_score = %s WHERE id = %s",  # noqa: S608  # our table name
            [
                scoring.hot_score(created_at=_aware(created_at), votes=count, comments=comments),
                proposal_id,
            ],
        )
    if step > 0:
        _success_check(proposal_id=proposal_id, count=count)


def _success_check(*, proposal_id: int, count: int) -> None:
    """At the threshold the proposal succeeds, and its author and followers are told: the
    conditional UPDATE lets exactly one support turn it successful. After a support made
    in one statement this is a transaction of its own; should it be cut off, the next
    support finds the proposal over the threshold and not yet successful, and does it."""
    if count < threshold():
        return
    with transaction.atomic():
        if Proposal.objects.filter(pk=proposal_id, succeeded_at__isnull=True).update(
            succeeded_at=timezone.now()
        ):
            event_record(target=Proposal.objects.get(pk=proposal_id), kind="succeeded")


def _published_comments(ids) -> dict[int, int]:
    from samskab.comments.models import Comment

    kind = ContentType.objects.get_for_model(Proposal)
    rows = (
        Comment.objects.filter(
            content_type=kind, object_id__in=ids, status=Comment.Status.PUBLISHED
        )
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    return {row["object_id"]: row["n"] for row in rows}


def proposal_recount(*, proposal: Proposal) -> Proposal:
    """Supports, comments and the hot score of one proposal, from the rows."""
    kind = ContentType.objects.get_for_model(Proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        proposal.support_count = Support.objects.filter(
            content_type=kind, object_id=proposal.pk
        ).count()
        proposal.comment_count = _published_comments([proposal.pk]).get(proposal.pk, 0)
        proposal.hot_score = scoring.hot_score(
            created_at=proposal.created_at,
            votes=proposal.support_count,
            comments=proposal.comment_count,
        )
        proposal.save(update_fields=["support_count", "comment_count", "hot_score"])
    return proposal


def proposals_recount(*, batch: int = 500) -> int:
    """Recount every proposal (a nightly command); returns how many changed."""
    kind = ContentType.objects.get_for_model(Proposal)
    changed = 0
    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        comments = _published_comments(chunk)
        supports = dict(
            Support.objects.filter(content_type=kind, object_id__in=chunk)
            .values("object_id")
            .annotate(n=Count("pk"))
            .values_list("object_id", "n")
        )
        for proposal in Proposal.objects.filter(pk__in=chunk):
            wanted: dict[str, int | float] = {
                "support_count": supports.get(proposal.pk, 0),
                "comment_count": comments.get(proposal.pk, 0),
            }
            wanted["hot_score"] = scoring.hot_score(
                created_at=proposal.created_at,
                votes=int(wanted["support_count"]),
                comments=int(wanted["comment_count"]),
            )
            if any(getattr(proposal, name) != value for name, value in wanted.items()):
                Proposal.objects.filter(pk=proposal.pk).update(**wanted)
                changed += 1
    return changed


def proposal_comments_changed(*, proposal_id: int) -> None:
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is not None:
        proposal_recount(proposal=proposal)


# --- the author -------------------------------------------------------------------------


def _require(user, permission: str, proposal: Proposal, message: str) -> None:
    if not user.has_perm(permission, proposal):
        raise ProposalRefused(message)


def proposal_retire(*, proposal: Proposal, user, reason: str) -> Proposal:
    _require(user, "proposals.retire_proposal", proposal, _("This proposal cannot be retired."))
    reason = clean_text(reason, line=True).strip()[:500]
    if not reason:
        raise ProposalRefused(_("Say why you retire the proposal; its supporters are told."))
    with transaction.atomic():
        proposal.retired_at = timezone.now()
        proposal.retired_reason = reason
        proposal.save(update_fields=["retired_at", "retired_reason"])
        event_record(target=proposal, kind="retired", note=reason, actor=user)
    return proposal


def message_next_at(proposal: Proposal, user):
    """When the author may write to the supporters again (None: now)."""
    last = (
        ProposalMessage.objects.filter(proposal=proposal, author=user)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return None
    next_at = last + timedelta(days=settings.PROPOSALS_MESSAGE_INTERVAL_DAYS)
    return next_at if next_at > timezone.now() else None


def proposal_message(*, proposal: Proposal, user, text: str) -> ProposalMessage:
    """The author writes to the supporters (who follow the proposal) and its followers:
    once in PROPOSALS_MESSAGE_INTERVAL_DAYS, screened for restricted words, hidden by
    moderators if need be; delivered by notifications."""
    _require(
        user,
        "proposals.message_proposal",
        proposal,
        _("Only the author of an active proposal can write to its supporters."),
    )
    text = clean_text(text).strip()
    if not text:
        raise ProposalRefused(_("Write a message."))
    if len(text) > MESSAGE_MAX:
        raise ProposalRefused(_("The message is too long."))
    _screen(author=user, text=text, language=proposal.language, what="message")
    with transaction.atomic():
        # The author's row is locked, so two messages at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        next_at = message_next_at(proposal, user)
        if next_at is not None:
            raise ProposalRefused(
                _(
                    "You can write to the supporters once every %(days)d days. "
                    "You can write again from %(when)s."
                )
                % {
                    "days": settings.PROPOSALS_MESSAGE_INTERVAL_DAYS,
                    "when": formats.date_format(timezone.localtime(next_at), "DATETIME_FORMAT"),
                }
            )
        message = ProposalMessage.objects.create(proposal=proposal, author=user, text=text)
        event_record(target=proposal, kind="message", note=text, actor=user)
    return message


def message_hide(*, message: ProposalMessage, user) -> ProposalMessage:
    if not user.has_perm("proposals.moderate_proposal", message.proposal):
        raise ProposalRefused(_("Only moderators can hide a message."))
    message.hidden_at = timezone.now()
    message.save(update_fields=["hidden_at"])
    return message


# --- staff ------------------------------------------------------------------------------


def proposal_answer(*, proposal: Proposal, user, answer: str, text: str) -> Proposal:
    """The official answer and its state; the author and the followers are told."""
    _require(user, "proposals.answer_proposal", proposal, _("This proposal cannot be answered."))
    if answer not in Proposal.Answer.values or not answer:
        raise ProposalRefused(_("Choose the state of the answer."))
    if answer == Proposal.Answer.AGENDA and proposal.agenda_item_id is None:
        raise ProposalRefused(_("Put the proposal on a meeting's agenda first."))
    text = clean_text(text).strip()
    if not text:
        raise ProposalRefused(_("Write the official answer."))
    with transaction.atomic():
        proposal.answer = answer
        proposal.answer_text = text
        proposal.answer_html = render_markdown(text)
        proposal.answered_at = timezone.now()
        proposal.save(update_fields=["answer", "answer_text", "answer_html", "answered_at"])
        event_record(target=proposal, kind="answered", note=text, actor=user, status=answer)
    return proposal


def agenda_items_open() -> list[AgendaItem]:
    """Public items of published meetings not yet held, to put a proposal on."""
    return list(
        AgendaItem.objects.filter(
            is_public=True,
            meeting__is_published=True,
            meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.LIVE],
        )
        .select_related("meeting", "meeting__body")
        .order_by("meeting__starts_at", "position", "pk")[:200]
    )


def proposal_to_agenda(*, proposal: Proposal, user, agenda_item: AgendaItem) -> Proposal:
    """A successful proposal on a meeting's agenda item; its state becomes "on the
    council's agenda" and the author and followers are told."""
    _require(
        user,
        "proposals.agenda_proposal",
        proposal,
        _("Only a successful proposal can be put on the agenda."),
    )
    if not agenda_item.is_public or not agenda_item.meeting.is_published:
        raise ProposalRefused(_("Choose a public item of a published meeting."))
    when = formats.date_format(timezone.localtime(agenda_item.meeting.starts_at), "DATE_FORMAT")
    with transaction.atomic():
        proposal.agenda_item = agenda_item
        proposal.answer = Proposal.Answer.AGENDA
        proposal.answered_at = timezone.now()
        proposal.save(update_fields=["agenda_item", "answer", "answered_at"])
        event_record(
            target=proposal,
            kind="agenda",
            note=f"{agenda_item.meeting.title}, {when}: {agenda_item.number}. {agenda_item.title}",
            actor=user,
            status=Proposal.Answer.AGENDA,
        )
    return proposal


def proposal_vote_start(*, proposal: Proposal, user, commitment: str) -> BindingVote:
    """A successful proposal starts a binding vote (in preparation, linked both ways:
    the vote names the proposal, the proposal shows the vote). Staff then add the questions
    and open it."""
    from samskab.proposals.selectors import vote_of

    _require(
        user,
        "proposals.start_vote_proposal",
        proposal,
        _("Only a successful proposal without a vote can start a binding vote."),
    )
    commitment = clean_text(commitment).strip()
    if not commitment:
        raise ProposalRefused(
            _("Say what the municipality commits to do with the result of the vote.")
        )
    with transaction.atomic():
        # One vote per proposal, even when two staff members press the button at once.
        Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
        if vote_of(proposal) is not None:
            raise ProposalRefused(_("This proposal has started a binding vote already."))
        vote = vote_start_from(
            origin=proposal,
            title=proposal.title,
            commitment=commitment,
            description=proposal.summary,
        )
        event_record(target=proposal, kind="vote", note=vote.title, actor=user, notify=False)
    return vote


def proposal_hide(*, proposal: Proposal, user, reason: str) -> Proposal:
    _require(user, "proposals.hide_proposal", proposal, _("This proposal cannot be hidden."))
    reason = clean_text(reason, line=True).strip()[:300]
    if not reason:
        raise ProposalRefused(_("Say why the proposal is hidden; its author is told."))
    with transaction.atomic():
        proposal.hidden_at = timezone.now()
        proposal.hidden_reason = reason
        proposal.save(update_fields=["hidden_at", "hidden_reason"])
        event_record(target=proposal, kind="hidden", note=reason, actor=user, notify=False)
    return proposal


def proposal_restore(*, proposal: Proposal, user) -> Proposal:
    _require(user, "proposals.restore_proposal", proposal, _("This proposal cannot be restored."))
    with transaction.atomic():
        proposal.hidden_at = None
        proposal.hidden_reason = ""
        proposal.save(update_fields=["hidden_at", "hidden_reason"])
        event_record(target=proposal, kind="restored", actor=user, notify=False)
    return proposal
