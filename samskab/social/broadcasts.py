"""Writes for the live broadcasts on YouTube and Facebook: made a day ahead, handed to the
restreamer as a restream destination of the meeting, started and ended with the meeting.

Each broadcast is advanced on its own: a platform that refuses, fails or is down marks only
its own broadcast (and turns off only its own destination); our stream and the other
platform go on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.social import selectors, services
from samskab.social.http import ErrorKind, NetworkError
from samskab.social.livevideo import LIVE_APIS, NotReceiving
from samskab.social.models import Account, Broadcast
from samskab.streaming import services as streaming
from samskab.streaming.models import Destination
from samskab.webcasts.models import Meeting

logger = logging.getLogger("samskab.social")

# The broadcast is made this long before the meeting: it shows on the channel as coming.
PREPARE_AHEAD = timedelta(hours=24)
# While the platform has not yet received our feed, look again this soon.
RECHECK = timedelta(seconds=10)
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
MAX_ATTEMPTS = 8
OPEN_STATES = (
    Broadcast.State.PLANNED,
    Broadcast.State.READY,
    Broadcast.State.TESTING,
    Broadcast.State.LIVE,
)


def broadcasts_plan(*, now: datetime) -> int:
    """A broadcast row for each coming meeting and each account that goes live."""
    accounts = list(selectors.live_accounts())
    if not accounts:
        return 0
    meetings = list(
        Meeting.objects.filter(
            is_published=True,
            status__in=[Meeting.Status.PLANNED, Meeting.Status.LIVE],
            starts_at__lte=now + PREPARE_AHEAD,
            starts_at__gte=now - timedelta(hours=12),
        )
    )
    made = 0
    choices = selectors.meeting_choices(meeting.pk for meeting in meetings)
    for meeting in meetings:
        for account in accounts:
            if not selectors.account_used(account, meeting, choices):
                continue
            try:
                with transaction.atomic():
                    _, created = Broadcast.objects.get_or_create(meeting=meeting, account=account)
            except IntegrityError:
                continue
            made += created
    return made


def broadcasts_advance(*, now: datetime) -> list[Broadcast]:
    """One step for every open broadcast that is due; each on its own."""
    open_ = Broadcast.objects.filter(state__in=OPEN_STATES).select_related(
        "meeting__body", "account"
    )
    done = []
    for broadcast in open_:
        if broadcast.next_attempt_at and broadcast.next_attempt_at > now:
            continue
        try:
            broadcast_step(broadcast=broadcast, now=now)
        except Exception:  # one platform's surprise must not stop the others
            logger.exception("Broadcast %s could not be advanced", broadcast.pk)
        done.append(broadcast)
    return done


def broadcast_step(*, broadcast: Broadcast, now: datetime) -> None:
    meeting = broadcast.meeting
    account = broadcast.account
    if broadcast.state in (Broadcast.State.PLANNED, Broadcast.State.READY) and (
        not meeting.is_published or meeting.status == Meeting.Status.CANCELLED
    ):
        _set(broadcast, Broadcast.State.CANCELLED, _("The meeting is cancelled or unpublished."))
        _destination_off(broadcast)
        return
    if account.status != Account.Status.CONNECTED:
        return  # waits for the account to be connected again
    api = LIVE_APIS[account.network]
    try:
        if not selectors.account_used(account, meeting):
            _step_turned_off(broadcast, api)
            return
        _step(broadcast, api, now)
    except NetworkError as error:
        renewable = error.kind == ErrorKind.AUTH and account.refresh_token
        if renewable and services.account_refresh(account=account, now=now):
            broadcast.account.refresh_from_db()
            _retry(broadcast, error.reason, now, wait=timedelta(0))
            return
        _failed(broadcast, error, now)


def _step(broadcast: Broadcast, api, now: datetime) -> None:
    meeting = broadcast.meeting
    account = broadcast.account
    state = broadcast.state
    if state == Broadcast.State.PLANNED:
        if meeting.status == Meeting.Status.ENDED:
            _set(broadcast, Broadcast.State.CANCELLED, _("The meeting ended before it was made."))
            return
        created = api.create(
            account,
            title=f"{meeting.body.name}: {meeting.title}",
            description=_description(meeting),
            starts_at=meeting.starts_at,
        )
        destination = _destination_make(broadcast, created.server_url, created.stream_key)
        Broadcast.objects.filter(pk=broadcast.pk).update(
            state=Broadcast.State.READY,
            broadcast_id=created.broadcast_id,
            stream_id=created.stream_id,
            public_url=created.public_url,
            destination_id=destination.pk,
            reason="",
            attempts=0,
            next_attempt_at=None,
            changed_at=timezone.now(),
        )
        logger.info("Meeting %s: %s broadcast made", meeting.pk, account.network)
        return
    if meeting.status == Meeting.Status.LIVE and state in (
        Broadcast.State.READY,
        Broadcast.State.TESTING,
    ):
        try:
            reached = api.start(
                account, created=(broadcast.broadcast_id, broadcast.stream_id), state=state
            )
        except NotReceiving as waiting:
            _retry(broadcast, waiting.reason, now, wait=RECHECK, count=False)
            return
        new = Broadcast.State.LIVE if reached == "live" else Broadcast.State.TESTING
        _set(broadcast, new, "")
        return
    if meeting.status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED):
        if state in (Broadcast.State.TESTING, Broadcast.State.LIVE):
            api.end(account, broadcast_id=broadcast.broadcast_id)
            _set(broadcast, Broadcast.State.COMPLETE, "")
        else:
            _set(broadcast, Broadcast.State.COMPLETE, _("The meeting ended before it went live."))
        _destination_off(broadcast)


def _step_turned_off(broadcast: Broadcast, api) -> None:
    """An editor turned this account off for the meeting: one made but not begun waits,
    without its restream destination, in case it is turned on again; one under way ends."""
    meeting = broadcast.meeting
    if broadcast.state in (Broadcast.State.TESTING, Broadcast.State.LIVE):
        api.end(broadcast.account, broadcast_id=broadcast.broadcast_id)
        _set(broadcast, Broadcast.State.COMPLETE, _("turned off for this meeting"))
        _destination_off(broadcast)
    elif meeting.status in (Meeting.Status.ENDED, Meeting.Status.CANCELLED):
        _set(broadcast, Broadcast.State.COMPLETE, _("turned off for this meeting"))
        _destination_off(broadcast)
    else:
        _destination_off(broadcast)


def broadcasts_follow_choices(*, meeting: Meeting) -> None:
    """Right after an editor's choice: the restream destination of each broadcast made
    for the meeting is on only while its account is used for it, so a feed starting now
    sends nothing to an account turned off."""
    choices = selectors.meeting_choices([meeting.pk])
    made = Broadcast.objects.filter(
        meeting=meeting,
        state__in=[Broadcast.State.READY, Broadcast.State.TESTING, Broadcast.State.LIVE],
        destination_id__isnull=False,
    ).select_related("account", "meeting")
    for broadcast in made:
        if broadcast.destination_id is None:
            continue
        used = selectors.account_used(broadcast.account, meeting, choices)
        Destination.objects.filter(pk=broadcast.destination_id).update(is_enabled=used)


def _description(meeting: Meeting) -> str:
    from samskab.social.texts import meeting_link

    return "\n\n".join(part for part in (meeting.description, meeting_link(meeting)) if part)


def _destination_make(broadcast: Broadcast, server_url: str, key: str) -> Destination:
    """The restreamer's destination for this broadcast (one for the meeting only)."""
    kind = broadcast.account.network
    streaming.destination_check(kind=kind, server_url=server_url, key=key)
    destination = Destination(
        name=str(broadcast.account.name)[:100],
        kind=kind,
        meeting=broadcast.meeting,
        server_url=server_url,
    )
    streaming.destination_set_key(destination=destination, key=key)
    destination.save()
    if broadcast.destination_id:
        Destination.objects.filter(pk=broadcast.destination_id).delete()
    return destination


def _destination_off(broadcast: Broadcast) -> None:
    if broadcast.destination_id:
        Destination.objects.filter(pk=broadcast.destination_id).update(is_enabled=False)


def _set(broadcast: Broadcast, state: str, reason: str) -> None:
    Broadcast.objects.filter(pk=broadcast.pk).update(
        state=state, reason=reason[:500], next_attempt_at=None, changed_at=timezone.now()
    )
    broadcast.state = state


def _retry(
    broadcast: Broadcast, reason: str, now: datetime, *, wait: timedelta, count: bool = True
) -> None:
    attempts = broadcast.attempts + (1 if count else 0)
    Broadcast.objects.filter(pk=broadcast.pk).update(
        reason=reason[:500], attempts=attempts, next_attempt_at=now + wait
    )


def _failed(broadcast: Broadcast, error: NetworkError, now: datetime) -> None:
    attempts = broadcast.attempts + 1
    if error.kind == ErrorKind.AUTH:
        services.account_break(account=broadcast.account, reason=error.reason, now=now)
        _retry(broadcast, error.reason, now, wait=timedelta(0))
        return
    if error.kind == ErrorKind.TEMPORARY and attempts < MAX_ATTEMPTS:
        wait = min(FIRST_WAIT * 2 ** (attempts - 1), MAX_WAIT)
        if error.retry_after is not None:
            wait = max(wait, timedelta(seconds=min(error.retry_after, MAX_WAIT.total_seconds())))
        _retry(broadcast, error.reason, now, wait=wait)
        return
    Broadcast.objects.filter(pk=broadcast.pk).update(
        state=Broadcast.State.FAILED, reason=error.reason[:500], attempts=attempts
    )
    broadcast.state = Broadcast.State.FAILED
    # Only this platform's destination stops; our stream and the others go on.
    _destination_off(broadcast)
    logger.warning("Meeting %s: %s broadcast failed: %s", broadcast.meeting_id,
                   broadcast.account.network, error.reason)  # fmt: skip


def broadcast_cancel(*, broadcast: Broadcast) -> None:
    if broadcast.state not in (Broadcast.State.PLANNED, Broadcast.State.READY):
        from django.core.exceptions import ValidationError

        raise ValidationError(
            _("Only a broadcast that has not begun can be cancelled."), code="begun"
        )
    _set(broadcast, Broadcast.State.CANCELLED, _("cancelled by staff"))
    _destination_off(broadcast)
