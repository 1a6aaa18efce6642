"""Writes for the social accounts and the posts announcing meetings.

Each post is sent at most once: a unique row per meeting, kind and account; it is claimed
(marked sending, by an UPDATE only one worker can win) before the network is called, with
the network's idempotency key where it has one. A lost answer leaves it "sending": on
networks with an idempotency key it is tried again with the same key, on the others it is
marked failed for staff to check, never posted blind a second time.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.social import crypto, limits, networks, pictures, selectors, texts
from samskab.social.http import ErrorKind, NetworkError
from samskab.social.models import (
    Account,
    Kind,
    MeetingChoice,
    Post,
    PostEvent,
    new_idempotency_key,
)
from samskab.webcasts.models import Meeting

logger = logging.getLogger("samskab.social")

# Tokens are renewed this long before they expire.
REFRESH_BEFORE = timedelta(minutes=15)
# A post waits this long after a failed attempt, doubling each time, up to MAX_WAIT.
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 8
# A post left "sending" this long was cut off (a killed worker).
STUCK_AFTER = timedelta(minutes=10)
# Networks whose API takes an idempotency key (Mastodon's header, Bluesky's record key).
IDEMPOTENT = {"mastodon", "bluesky"}


def _log(post: Post, what: str) -> None:
    PostEvent.objects.create(post=post, what=what[:500])


# Accounts


def account_save_tokens(*, account: Account, tokens: networks.Tokens, now: datetime) -> Account:
    account.access_token_encrypted = crypto.encrypt(tokens.access)
    if tokens.refresh:
        account.refresh_token_encrypted = crypto.encrypt(tokens.refresh)
    account.expires_at = now + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None
    if tokens.about.get("handle"):
        account.handle = tokens.about["handle"][:200]
    if tokens.about.get("external_id") and not (
        account.network == "linkedin" and account.external_id
    ):
        account.external_id = tokens.about["external_id"][:200]
    if tokens.server:
        account.server_limits = tokens.server
    account.status = Account.Status.CONNECTED
    account.problem = ""
    account.problem_at = None
    account.oauth_state = ""
    account.pkce_verifier_encrypted = ""
    account.save()
    return account


def account_set_secret(*, account: Account, secret: str) -> None:
    account.client_secret_encrypted = crypto.encrypt(secret.strip())


def account_break(*, account: Account, reason: str, now: datetime) -> None:
    """The connection no longer works: staff see why on the staff home and reconnect."""
    Account.objects.filter(pk=account.pk).update(
        status=Account.Status.BROKEN, problem=reason[:500], problem_at=now
    )
    account.status, account.problem, account.problem_at = Account.Status.BROKEN, reason, now
    logger.warning("Social account %s is broken: %s", account.pk, reason)


def account_connect_start(*, account: Account, redirect_uri: str) -> str:
    """The network's authorization page the staff member is sent to."""
    publisher = networks.publisher(account.network)
    if account.network == "mastodon" and not account.client_id:
        client_id, secret = networks.Mastodon().register_app(
            account.server_url, redirect_uri=redirect_uri
        )
        account.client_id = client_id
        account_set_secret(account=account, secret=secret)
    verifier, _challenge = networks.pkce_pair()
    account.oauth_state = secrets.token_urlsafe(24)
    account.pkce_verifier_encrypted = crypto.encrypt(verifier)
    account.save()
    return publisher.authorize_url(
        account, redirect_uri=redirect_uri, state=account.oauth_state, verifier=verifier
    )


def account_connect_finish(*, state: str, code: str, redirect_uri: str, now: datetime) -> Account:
    """The network sent the staff member back with a code: exchange it for tokens."""
    if not state or not code:
        raise ValidationError(_("The network did not approve the connection."), code="denied")
    account = Account.objects.filter(oauth_state=state).first()
    if account is None:
        raise ValidationError(
            _("This approval does not belong to a connection under way. Start again."),
            code="state",
        )
    verifier = crypto.decrypt(account.pkce_verifier_encrypted)
    try:
        tokens = networks.publisher(account.network).exchange(
            account, code=code, redirect_uri=redirect_uri, verifier=verifier
        )
    except NetworkError as error:
        account_break(account=account, reason=error.reason, now=now)
        raise ValidationError(error.reason, code="exchange") from error
    return account_save_tokens(account=account, tokens=tokens, now=now)


def account_connect_bluesky(
    *, account: Account, identifier: str, password: str, now: datetime
) -> Account:
    """Bluesky: a session from an app password; the password is not kept."""
    try:
        tokens = networks.Bluesky().create_session(
            account, identifier=identifier.strip(), password=password.strip()
        )
    except NetworkError as error:
        account_break(account=account, reason=error.reason, now=now)
        raise ValidationError(error.reason, code="session") from error
    return account_save_tokens(account=account, tokens=tokens, now=now)


def account_refresh(*, account: Account, now: datetime) -> bool:
    """Renew the account's access token. False (and the account broken) when refused."""
    try:
        tokens = networks.publisher(account.network).refresh(account)
    except NetworkError as error:
        if error.kind == ErrorKind.TEMPORARY:
            logger.info("Social account %s not renewed yet: %s", account.pk, error.reason)
            return False
        account_break(account=account, reason=error.reason, now=now)
        return False
    account_save_tokens(account=account, tokens=tokens, now=now)
    return True


def accounts_refresh_due(*, now: datetime) -> int:
    """Renew every connected token that expires soon. Returns how many were renewed."""
    due = Account.objects.filter(
        status=Account.Status.CONNECTED, expires_at__lte=now + REFRESH_BEFORE
    )
    return sum(account_refresh(account=account, now=now) for account in due)


# Planning


def _due_at(kind: str, meeting: Meeting, account: Account, now: datetime) -> datetime | None:
    if kind == Kind.PUBLISHED:
        return now
    if kind == Kind.SOON:
        at = meeting.starts_at - timedelta(hours=account.soon_hours)
        # Only on the meeting's day, and not when the announcement would come after it.
        local_day = timezone.localtime(meeting.starts_at).date()
        if timezone.localtime(at).date() != local_day:
            at = timezone.make_aware(
                datetime.combine(local_day, datetime.min.time()).replace(hour=7),
                timezone.get_current_timezone(),
            )
        return at if at > now else None
    return now


def _kinds_for(meeting: Meeting, now: datetime) -> list[str]:
    if meeting.status == Meeting.Status.PLANNED and meeting.starts_at > now:
        return [Kind.PUBLISHED, Kind.SOON]
    if meeting.status == Meeting.Status.LIVE:
        return [Kind.LIVE]
    if meeting.status == Meeting.Status.ENDED and selectors.recording_ready(meeting):
        return [Kind.RECORDING]
    return []


def posts_plan(*, now: datetime) -> int:
    """Plan the posts the meetings call for now, once each. Returns how many were made."""
    accounts = list(selectors.posting_accounts())
    if not accounts:
        return 0
    made = 0
    meetings = list(selectors.meetings_to_announce(now=now))
    choices = selectors.meeting_choices(meeting.pk for meeting in meetings)
    for meeting in meetings:
        kinds = _kinds_for(meeting, now)
        for account in accounts:
            if not selectors.account_used(account, meeting, choices):
                continue
            for kind in kinds:
                made += _plan_one(meeting=meeting, account=account, kind=kind, now=now)
    _posts_follow_meetings(now=now)
    return made


def _plan_one(*, meeting: Meeting, account: Account, kind: str, now: datetime) -> int:
    if Post.objects.filter(meeting=meeting, account=account, kind=kind).exists():
        return 0
    due = _due_at(kind, meeting, account, now)
    if due is None:
        return 0
    text = texts.render(
        meeting=meeting,
        kind=kind,
        language=account.language,
        network=account.network,
        soon_hours=account.soon_hours,
        server=account.server_limits,
    )
    try:
        with transaction.atomic():
            post = Post.objects.create(
                meeting=meeting,
                account=account,
                kind=kind,
                due_at=due,
                text=text,
                picture_alt=limits.fit_alt(
                    texts.picture_alt(meeting, account.language),
                    account.network,
                    account.server_limits,
                ),
                idempotency_key=new_idempotency_key(),
            )
            _log(post, _("Planned for %(at)s.") % {"at": _when(due)})
    except IntegrityError:  # another worker planned it at the same moment
        return 0
    return 1


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%d.%m.%Y %H:%M")


def _posts_follow_meetings(*, now: datetime) -> None:
    """Posts not yet sent follow their meeting: a moved meeting moves its reminder; a
    cancelled or unpublished one, or one whose moment has passed, cancels them."""
    waiting = Post.objects.filter(
        status__in=[Post.Status.SCHEDULED, Post.Status.RETRY]
    ).select_related("meeting", "account")
    for post in waiting:
        reason = selectors.post_obsolete(post, now=now)
        if reason:
            _cancel(post, reason)
            continue
        if post.kind == Kind.SOON and post.status == Post.Status.SCHEDULED:
            due = _due_at(Kind.SOON, post.meeting, post.account, now)
            if due is not None and due != post.due_at and not post.edited:
                Post.objects.filter(pk=post.pk).update(due_at=due)
                _log(post, _("The meeting moved: now planned for %(at)s.") % {"at": _when(due)})


def _cancel(post: Post, reason: str) -> None:
    updated = Post.objects.filter(
        pk=post.pk, status__in=[Post.Status.SCHEDULED, Post.Status.RETRY]
    ).update(status=Post.Status.CANCELLED, reason=reason[:500], next_attempt_at=None)
    if updated:
        _log(post, _("Cancelled: %(reason)s") % {"reason": reason})


# Staff's changes


def post_edit(*, post: Post, text: str, picture_alt: str, with_picture: bool) -> Post:
    """Staff's own text for a post not yet sent, within the network's limits."""
    text = text.strip()
    network = post.account.network
    allowed = limits.of(network, post.account.server_limits)
    if not text:
        raise ValidationError(_("Write the post's text."), code="empty")
    if not limits.fits(text, network, post.account.server_limits):
        raise ValidationError(
            _("%(network)s takes %(limit)s characters; this text counts %(length)s.")
            % {
                "network": post.account.get_network_display(),
                "limit": allowed.length,
                "length": limits.length(text, network, post.account.server_limits),
            },
            code="too_long",
        )
    picture_alt = picture_alt.strip()
    if with_picture and not picture_alt:
        raise ValidationError(
            _("Describe the picture for those who cannot see it, or send no picture."),
            code="alt",
        )
    if len(picture_alt) > allowed.alt_length:
        raise ValidationError(
            _("%(network)s takes alt texts of up to %(limit)s characters.")
            % {
                "network": post.account.get_network_display(),
                "limit": allowed.alt_length,
            },
            code="alt_too_long",
        )
    with transaction.atomic():
        updated = Post.objects.filter(
            pk=post.pk, status__in=[Post.Status.SCHEDULED, Post.Status.RETRY]
        ).update(text=text, picture_alt=picture_alt, with_picture=with_picture, edited=True)
        if not updated:
            raise ValidationError(_("This post is already sent or cancelled."), code="done")
        _log(post, _("Text changed by staff."))
    post.refresh_from_db()
    return post


def post_cancel(*, post: Post) -> None:
    if post.status not in (Post.Status.SCHEDULED, Post.Status.RETRY):
        raise ValidationError(_("Only a post not yet sent can be cancelled."), code="done")
    _cancel(post, _("cancelled by staff"))


def post_try_again(*, post: Post, now: datetime) -> None:
    """A failed post, once staff have fixed the cause, is tried again (with the same key)."""
    updated = Post.objects.filter(pk=post.pk, status=Post.Status.FAILED).update(
        status=Post.Status.RETRY, attempts=0, next_attempt_at=now, reason=""
    )
    if not updated:
        raise ValidationError(_("Only a failed post can be tried again."), code="not_failed")
    _log(post, _("To be tried again, as staff asked."))


def meeting_accounts_set(*, meeting: Meeting, used: set[int]) -> list[Account]:
    """An editor's choice of the accounts used for this meeting (the ids in `used`; the
    others are turned off). Posts not yet sent of an account turned off are held, not
    cancelled, and go when it is turned on again; live broadcasts follow at once (their
    restream destination) and at the next tick (a broadcast under way is ended). Returns
    the accounts whose use changed."""
    from samskab.social import broadcasts

    changed = []
    with transaction.atomic():
        for row in selectors.meeting_accounts(meeting):
            account = row["account"]
            want = account.pk in used
            if want == row["default"]:
                MeetingChoice.objects.filter(meeting=meeting, account=account).delete()
            else:
                MeetingChoice.objects.update_or_create(
                    meeting=meeting, account=account, defaults={"used": want}
                )
            if want == row["used"]:
                continue
            changed.append(account)
            waiting = Post.objects.filter(
                meeting=meeting,
                account=account,
                status__in=[Post.Status.SCHEDULED, Post.Status.RETRY],
            )
            for post in waiting:
                _log(post, _("Held: the account is turned off for this meeting.") if not want
                     else _("The account is turned on again for this meeting."))  # fmt: skip
        broadcasts.broadcasts_follow_choices(meeting=meeting)
    return changed


# Sending


def posts_recover_stuck(*, now: datetime) -> int:
    stuck = Post.objects.filter(
        status=Post.Status.SENDING, sending_since__lt=now - STUCK_AFTER
    ).select_related("account")
    count = 0
    for post in stuck:
        count += 1
        if post.account.network in IDEMPOTENT:
            Post.objects.filter(pk=post.pk).update(status=Post.Status.RETRY, next_attempt_at=now)
            _log(post, _("Sending was cut off; tried again with the same key."))
        else:
            reason = _(
                "Sending was cut off before the network answered. Look on the network "
                "whether it was posted; try again only if it was not."
            )
            Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED, reason=reason)
            _log(post, reason)
    return count


def posts_send_due(*, now: datetime) -> list[Post]:
    """Send every post whose time has come; each is claimed first, so it goes once."""
    due = Post.objects.filter(
        Q(status=Post.Status.SCHEDULED, due_at__lte=now)
        | Q(status=Post.Status.RETRY, next_attempt_at__lte=now),
        account__status=Account.Status.CONNECTED,
    ).exclude(selectors.turned_off_for_meeting())  # held while an editor has it turned off
    due = due.order_by("due_at", "pk")
    sent = []
    for post_id in list(due.values_list("pk", flat=True)[:50]):
        post = post_send(post_id=post_id, now=now)
        if post is not None:
            sent.append(post)
    return sent


def _claim(post_id: int, now: datetime) -> bool:
    return bool(
        Post.objects.filter(
            pk=post_id, status__in=[Post.Status.SCHEDULED, Post.Status.RETRY]
        ).update(status=Post.Status.SENDING, sending_since=now, attempts=F("attempts") + 1)
    )


def post_send(*, post_id: int, now: datetime) -> Post | None:
    post = Post.objects.select_related("meeting__body", "account").get(pk=post_id)
    reason = selectors.post_obsolete(post, now=now)
    if reason:
        _cancel(post, reason)
        return None
    if not selectors.account_used(post.account, post.meeting):
        return None  # held: an editor turned this account off for the meeting
    if not _claim(post_id, now):
        return None  # another worker has it
    post.refresh_from_db()
    account = post.account
    picture = _picture(post) if post.with_picture else None
    key = post.idempotency_key
    if account.network == "bluesky":
        created = post.created_at
        key = networks.bluesky_tid(int(created.timestamp() * 1_000_000), int(key[:4], 16))
    publisher = networks.publisher(account.network)
    try:
        try:
            posted = publisher.post(account, text=post.text, picture=picture, idempotency_key=key)
        except NetworkError as error:
            if error.kind != ErrorKind.AUTH or not account.refresh_token:
                raise
            _log(post, _("The network refused the token (%(reason)s); renewing it.")
                 % {"reason": error.reason})  # fmt: skip
            if not account_refresh(account=account, now=now):
                raise
            account.refresh_from_db()
            posted = publisher.post(account, text=post.text, picture=picture, idempotency_key=key)
    except NetworkError as error:
        _send_failed(post, error, now=now)
        return post
    Post.objects.filter(pk=post.pk).update(
        status=Post.Status.SENT,
        remote_id=posted.remote_id[:300],
        remote_url=posted.url[:500],
        sent_at=now,
        reason="",
        next_attempt_at=None,
    )
    _log(post, _("Posted: %(url)s") % {"url": posted.url or posted.remote_id})
    post.refresh_from_db()
    return post


def _picture(post: Post) -> networks.Picture | None:
    data = selectors.post_picture(post)
    if data is None:
        return None
    allowed = limits.of(post.account.network, post.account.server_limits)
    fitted = pictures.fit(data, allowed.picture_bytes, allowed.picture_pixels)
    if fitted is None:
        _log(post, _("The picture could not be made small enough for the network; "
                      "posted without it."))  # fmt: skip
        return None
    if fitted.data is not data:
        sizes = {"before": len(data) // 1000, "after": len(fitted.data) // 1000}
        _log(post, _("The picture was made smaller for the network (%(before)s kB to "
                      "%(after)s kB).") % sizes)  # fmt: skip
    return networks.Picture(
        fitted.data,
        limits.fit_alt(post.picture_alt, post.account.network, post.account.server_limits),
        content_type=fitted.content_type,
        width=fitted.width,
        height=fitted.height,
    )


def _send_failed(post: Post, error: NetworkError, *, now: datetime) -> None:
    post.refresh_from_db()
    if error.kind == ErrorKind.AUTH:
        account_break(account=post.account, reason=error.reason, now=now)
        # It waits for the account to be connected again (posts_send_due skips it till then).
        Post.objects.filter(pk=post.pk).update(
            status=Post.Status.RETRY, next_attempt_at=now, reason=error.reason
        )
        _log(post, _("Waiting: the account must be connected again (%(reason)s).")
             % {"reason": error.reason})  # fmt: skip
        return
    if error.kind == ErrorKind.DUPLICATE:
        Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED, reason=error.reason)
        _log(post, _("Not posted: the network already has this text (%(reason)s).")
             % {"reason": error.reason})  # fmt: skip
        return
    if error.kind == ErrorKind.PERMANENT or post.attempts >= MAX_ATTEMPTS:
        Post.objects.filter(pk=post.pk).update(status=Post.Status.FAILED, reason=error.reason)
        _log(post, _("Failed: %(reason)s") % {"reason": error.reason})
        return
    wait = min(FIRST_WAIT * (2 ** max(0, post.attempts - 1)), MAX_WAIT)
    if error.retry_after is not None:
        wait = max(wait, timedelta(seconds=min(error.retry_after, MAX_WAIT.total_seconds())))
    at = now + wait
    Post.objects.filter(pk=post.pk).update(
        status=Post.Status.RETRY, next_attempt_at=at, reason=error.reason
    )
    _log(post, _("Not posted yet (%(reason)s); trying again at %(at)s.")
         % {"reason": error.reason, "at": _when(at)})  # fmt: skip
