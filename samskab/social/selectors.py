"""Reads for the social accounts, posts and live broadcasts."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from samskab.recordings import storage
from samskab.social import texts
from samskab.social.models import LIVE, POSTING, Account, Broadcast, Kind, MeetingChoice, Post
from samskab.webcasts.models import Meeting
from samskab.webcasts.recording import local_playlist

logger = logging.getLogger("samskab.social")

# A recording is announced only for a meeting that started at most this long ago, so
# connecting an account does not post about the whole archive.
RECORDING_WITHIN = timedelta(days=3)
# How far ahead meetings are announced as published.
AHEAD = timedelta(days=60)


def posting_accounts() -> QuerySet[Account]:
    return Account.objects.filter(
        network__in=POSTING, announces=True, status=Account.Status.CONNECTED
    ).prefetch_related("bodies")


def live_accounts() -> QuerySet[Account]:
    return Account.objects.filter(
        network__in=LIVE, goes_live=True, status=Account.Status.CONNECTED
    ).prefetch_related("bodies")


def account_covers(account: Account, meeting: Meeting) -> bool:
    bodies = [body.pk for body in account.bodies.all()]
    return not bodies or meeting.body_id in bodies


def meeting_choices(meeting_ids) -> dict[tuple[int, int], bool]:
    """The editors' choices for these meetings: (meeting id, account id) -> used."""
    return {
        (meeting_id, account_id): used
        for meeting_id, account_id, used in MeetingChoice.objects.filter(
            meeting_id__in=list(meeting_ids)
        ).values_list("meeting_id", "account_id", "used")
    }


def account_used(
    account: Account, meeting: Meeting, choices: dict[tuple[int, int], bool] | None = None
) -> bool:
    """Whether the account posts about (or broadcasts) this meeting: the editors' choice for
    the meeting where they made one, else whether the account covers the meeting's body."""
    if choices is None:
        choices = meeting_choices([meeting.pk])
    used = choices.get((meeting.pk, account.pk))
    return account_covers(account, meeting) if used is None else used


def meeting_accounts(meeting: Meeting) -> list[dict]:
    """Every account that announces or broadcasts meetings, with whether it is used for
    this meeting and whether it would be without the editors' choice."""
    accounts = Account.objects.filter(
        Q(network__in=POSTING, announces=True) | Q(network__in=LIVE, goes_live=True)
    ).prefetch_related("bodies")
    choices = meeting_choices([meeting.pk])
    rows = []
    for account in accounts:
        default = account_covers(account, meeting)
        rows.append(
            {
                "account": account,
                "default": default,
                "used": account_used(account, meeting, choices),
                "posts": account.network in POSTING and account.announces,
                "live": account.network in LIVE and account.goes_live,
            }
        )
    return rows


def turned_off_for_meeting() -> Exists:
    """For a Post or Broadcast query: its account is turned off for its meeting."""
    return Exists(
        MeetingChoice.objects.filter(
            meeting_id=OuterRef("meeting_id"), account_id=OuterRef("account_id"), used=False
        )
    )


def meetings_to_announce(*, now: datetime) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        is_published=True,
        status__in=[Meeting.Status.PLANNED, Meeting.Status.LIVE, Meeting.Status.ENDED],
        starts_at__gte=now - RECORDING_WITHIN,
        starts_at__lte=now + AHEAD,
    ).select_related("body")


def recording_ready(meeting: Meeting) -> bool:
    """The meeting's recording can be watched in the archive."""
    if meeting.status != Meeting.Status.ENDED or not meeting.is_published:
        return False
    if storage.hidden_folder(meeting.pk).exists():
        return False
    if meeting.video_kind == Meeting.VideoKind.UPLOAD:
        return local_playlist(meeting) is not None
    return meeting.video_kind != Meeting.VideoKind.NONE and bool(meeting.video_url)


def post_obsolete(post: Post, *, now: datetime) -> str:
    """Why a post not yet sent should not be sent any more ('' when it still should)."""
    meeting = post.meeting
    if not meeting.is_published:
        return _("the meeting is no longer published")
    if meeting.status == Meeting.Status.CANCELLED:
        return _("the meeting is cancelled")
    if post.kind in (Kind.PUBLISHED, Kind.SOON) and (
        meeting.status != Meeting.Status.PLANNED or meeting.starts_at <= now
    ):
        return _("the meeting has begun")
    if post.kind == Kind.LIVE and meeting.status != Meeting.Status.LIVE:
        return _("the meeting is no longer live")
    return ""


def post_picture(post: Post) -> bytes | None:
    """The picture of the moment: a still from our own video while live or after, else the
    meeting's share card."""
    meeting = post.meeting
    if post.kind in (Kind.LIVE, Kind.RECORDING):
        from samskab.webcasts import thumbnails

        if thumbnails.thumbnail_available(meeting):
            try:
                path = thumbnails.thumbnail_make(
                    meeting=meeting, second=thumbnails.thumbnail_second(meeting, 60)
                )
            except Exception:  # a still is a nicety; the card is always there
                logger.exception("Meeting %s: no still for the post", meeting.pk)
                path = None
            if path is not None:
                return path.read_bytes()
    return texts.card_picture(meeting, post.account.language)


def meeting_posts(meeting: Meeting) -> list[Post]:
    return list(
        Post.objects.filter(meeting=meeting)
        .select_related("account")
        .prefetch_related("events")
        .order_by("due_at", "account__network", "pk")
    )


def meeting_broadcasts(meeting: Meeting) -> list[Broadcast]:
    return list(Broadcast.objects.filter(meeting=meeting).select_related("account"))


def broken_accounts() -> list[Account]:
    return list(Account.objects.filter(status=Account.Status.BROKEN))


def failed_posts_count(*, since: datetime) -> int:
    return Post.objects.filter(status=Post.Status.FAILED, created_at__gte=since).count()


def public_broadcasts(meeting: Meeting) -> list[Broadcast]:
    """Where else the meeting can be watched live (for the meeting page)."""
    return list(
        Broadcast.objects.filter(meeting=meeting)
        .exclude(public_url="")
        .exclude(state__in=[Broadcast.State.FAILED, Broadcast.State.CANCELLED])
        .select_related("account")
    )
