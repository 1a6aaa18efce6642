"""Telling people about a step on a target (activity.Event).

In the request, inside the transaction that records the step, `event_notify` writes one
notification per recipient with a single INSERT ... SELECT from the follows and the
settings: the target's author and followers (its process's followers too), or the people the
step names (a valuator asked to assess a project), each person once, never the actor, nobody
who turned the kind off, no deleted or inactive account. No Python loop per recipient:
50,000 followers cost one statement (make bench-notify).

After commit, delivery tasks (`tasks.deliver`) claim due rows in chunks, e-mail each person
in their language over one SMTP connection per chunk, with one-click unsubscribe headers
(RFC 8058), and push the new unread count to their open pages through `live`. A row is
e-mailed by one task only (a claim token set by one UPDATE; SKIP LOCKED on PostgreSQL); a
failed mail is tried again later, up to MAX_ATTEMPTS times.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from math import ceil
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import make_msgid
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab import live
from samskab.accounts.models import User
from samskab.activity import kinds
from samskab.activity.models import Event
from samskab.core import metrics, targets
from samskab.follows.models import Follow
from samskab.notifications.models import Mode, Notification, Preference, State

# A value the notifications' SQL passes to the database as a parameter.
_SqlParam = int | str | bool | datetime | None

logger = logging.getLogger(__name__)

CHUNK = 500  # notifications one delivery task claims and e-mails over one connection
TASKS_PER_EVENT = 4  # at most, so that several workers share a large event
MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=15)  # a worker that died holding rows: others take them
UNSUBSCRIBE_SALT = "samskab.notifications.unsubscribe"
_PLACEHOLDER = "https://samskab-unsubscribe-placeholder.invalid/"
_TO_PLACEHOLDER = "samskab-recipient-placeholder@example.invalid"
_ID_PLACEHOLDER = "<samskab-message-id-placeholder@example.invalid>"


# --- in the request: who hears ------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def event_notify(
    *, event: Event, target, recipients: Sequence[tuple[Any, str]] | None = None
) -> int:
    """Write the event's notifications (one SQL statement) and queue their delivery on
    commit; returns how many were written. Without `recipients` they go to the target's
    author and followers; with them, (person, language) pairs, to those people only."""
    kind = kinds.get(event.content_type.app_label + "." + event.content_type.model, event.kind)
    if kind is None:
        return 0
    one = "SELECT %s AS user_id, %s AS language, %s AS is_author, 0 AS prio, %s AS since"
    candidates: list[str] = []
    params: list[_SqlParam] = []
    if recipients is not None:
        for person, language in recipients:
            candidates.append(one)
            params += [person.pk, language or "", False, event.created_at]
        if not candidates:
            return 0
    else:
        author, author_language = targets.author_of(target)
        if author is not None:
            candidates.append(one)
            params += [author.pk, author_language or "", True, event.created_at]
        places = ["(f.content_type_id = %s AND f.object_id = %s)"]
        place_params: list[_SqlParam] = [event.content_type_id, event.object_id]
        process = targets.process_of(target)
        if process is not None:
            places.append("(f.content_type_id = %s AND f.object_id = %s)")
            place_params += [ContentType.objects.get_for_model(process).pk, process.pk]
        candidates.append(
            "SELECT f.user_id AS user_id, f.language AS language, %s AS is_author, "  # noqa: S608  # names, not values (see below)
            "CASE WHEN f.content_type_id = %s AND f.object_id = %s THEN 1 ELSE 2 END AS prio, "
            "f.created_at AS since "
            f"FROM {_table(Follow)} f WHERE " + " OR ".join(places)
        )
        params += [False, event.content_type_id, event.object_id, *place_params]
    actor_clause = ""
    actor_params: list[_SqlParam] = []
    if event.actor_id is not None:
        actor_clause = " AND c.user_id <> %s"
        actor_params = [event.actor_id]
    now = timezone.now()
    # Only quoted table names of our own models and fixed SQL are put in the text; every
    # value is a parameter.
    sql = (
        f"INSERT INTO {_table(Notification)} (user_id, event_id, kind, language, is_author, "  # noqa: S608
        "state, attempts, next_try_at, claim, created_at) "
        "SELECT c.user_id, %s, %s, COALESCE(NULLIF(c.language, ''), %s), c.is_author, "
        "CASE WHEN p.mode = %s THEN %s ELSE %s END, 0, %s, '', %s "
        "FROM (SELECT user_id, language, is_author, ROW_NUMBER() OVER "
        "(PARTITION BY user_id ORDER BY prio, since) AS rn FROM ("
        + " UNION ALL ".join(candidates)
        + f")  raw) c JOIN {_table(User)} u ON u.id = c.user_id "
        f"LEFT JOIN {_table(Preference)} p ON p.user_id = c.user_id AND p.kind = %s "
        "WHERE c.rn = 1 AND u.is_active AND u.deleted_at IS NULL AND u.email <> '' "
        "AND (p.mode IS NULL OR p.mode <> %s)" + actor_clause
    )
    all_params: list[_SqlParam] = [
        event.pk,
        kind.key,
        settings.LANGUAGE_CODE,
        Mode.DIGEST,
        State.PUSH,
        State.MAIL,
        now,
        now,
        *params,
        kind.key,
        Mode.NEVER,
        *actor_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        written = max(cursor.rowcount, 0)
    if written:
        tasks = min(TASKS_PER_EVENT, ceil(written / CHUNK))
        transaction.on_commit(lambda: _enqueue(tasks))
    return written


def _enqueue(count: int) -> None:
    from samskab.notifications.tasks import deliver

    for _i in range(count):
        deliver.enqueue()


# --- in the background: delivery ------------------------------------------------------------


def claim(limit: int = CHUNK) -> list[Notification]:
    """Take up to `limit` due notifications for this task alone."""
    token = uuid.uuid4().hex
    now = timezone.now()
    due = Notification.objects.filter(
        Q(claim="") | Q(claimed_at__lt=now - STALE_CLAIM),
        state__in=[State.MAIL, State.PUSH],
        next_try_at__lte=now,
    )
    chosen = due.order_by("pk").values("pk")[:limit]
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: lock the chosen rows, skipping those another task holds, then
            # claim them. (In one statement, `IN (... LIMIT n FOR UPDATE SKIP LOCKED)` may be
            # scanned again for each row and so claim more than n.)
            picked = list(
                due.order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:limit]
            )
            claimed = due.filter(pk__in=picked).update(claim=token, claimed_at=now)
        else:
            # SQLite: one writer at a time; the rows are chosen and claimed in one statement,
            # the conditions checked again on each row, so two tasks never hold one row.
            claimed = due.filter(pk__in=chosen).update(claim=token, claimed_at=now)
        if not claimed:
            return []
    return list(
        Notification.objects.filter(claim=token)
        .select_related("user", "event__content_type")
        .order_by("pk")
    )


def deliver(limit: int = CHUNK) -> int:
    """Claim and deliver chunks until nothing is due; returns how many e-mails went."""
    sent = 0
    while rows := claim(limit):
        sent += deliver_rows(rows)
    return sent


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, kind) of a token this site signed, else None."""
    try:
        user_id, kind = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(kind, str):
        return None
    return user_id, kind


def unsubscribe_url(user_id: int, kind: str) -> str:
    path = reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kind)])
    return settings.SITE_URL.rstrip("/") + path


def _target_url(kind, event, target) -> str:
    return settings.SITE_URL.rstrip("/") + (kinds.path_of(kind, event, target) or "/")


class _Mail:
    """The e-mail about one event, rendered once per language and role; each person's copy
    differs only by their unsubscribe link."""

    def __init__(self, event: Event):
        self.event = event
        self.target = event.target
        ct = event.content_type
        self.kind = kinds.get(f"{ct.app_label}.{ct.model}", event.kind)
        self._rendered: dict[tuple[str, bool], tuple[str, str, str]] = {}
        self._raw: dict[tuple[str, bool], bytes] = {}

    def render(self, language: str, is_author: bool) -> tuple[str, str, str]:
        key = (language, is_author)
        if key not in self._rendered:
            kind, event = self.kind, self.event
            if kind is None:
                raise LookupError(f"no activity kind for event {event.pk}")
            with translation.override(language):
                context = {
                    "event": event,
                    "target": self.target,
                    "url": _target_url(kind, event, self.target),
                    "is_author": is_author,
                    "language": language,
                    "headline": kind.headline(event) if kind.headline else kind.subject(event),
                    "kind_title": kind.title,
                    "unsubscribe_url": _PLACEHOLDER,
                    "settings_url": settings.SITE_URL.rstrip("/")
                    + reverse("notifications:settings"),
                    **(kind.context(event) if kind.context else {}),
                }
                self._rendered[key] = (
                    str(kind.subject(event)),
                    render_to_string(f"{kind.template}.txt", context),
                    render_to_string(f"{kind.template}.html", context),
                )
        return self._rendered[key]

    def message(self, row: Notification) -> EmailMultiAlternatives:
        subject, text, html = self.render(row.language, row.is_author)
        url = unsubscribe_url(row.user_id, row.kind)
        return self._build(subject, text, html, row.user.email, url, make_msgid())

    def _build(self, subject, text, html, to, url, message_id) -> EmailMultiAlternatives:
        mail = EmailMultiAlternatives(
            subject=subject,
            body=text.replace(_PLACEHOLDER, url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
                "Message-ID": message_id,
            },
        )
        mail.attach_alternative(html.replace(_PLACEHOLDER, url), "text/html")
        return mail

    def raw(self, row: Notification) -> bytes:
        """The whole message as bytes: built once per language and role with placeholders
        for the address, the unsubscribe link and the Message-ID, which are swapped in here
        (the MIME building is most of an e-mail's cost). The parts are 8-bit (Django uses
        quoted-printable only for lines over 998 characters), so the swap is safe."""
        key = (row.language, row.is_author)
        template = self._raw.get(key)
        if template is None:
            subject, text, html = self.render(row.language, row.is_author)
            built = self._build(subject, text, html, _TO_PLACEHOLDER, _PLACEHOLDER, _ID_PLACEHOLDER)
            # django-stubs 6 types Django 6's message() (the standard library's EmailMessage);
            # Django 5.2's returns its SafeMIME classes, whose as_bytes takes a linesep.
            message = built.message()
            template = self._raw[key] = message.as_bytes(linesep="\r\n")  # type: ignore[call-arg]
        url = unsubscribe_url(row.user_id, row.kind).encode("ascii")
        return (
            template.replace(_PLACEHOLDER.encode(), url)
            .replace(_TO_PLACEHOLDER.encode(), row.user.email.encode("ascii"))
            .replace(_ID_PLACEHOLDER.encode(), make_msgid().encode("ascii"))
        )


def deliver_rows(rows: list[Notification]) -> int:
    """E-mail the claimed rows due a mail, push every claimed person's unread count, and
    settle each row: sent, waiting for the digest, or to be tried again."""
    mails: dict[int, _Mail] = {}
    sent: list[int] = []
    failed: list[int] = []
    gone: list[int] = []
    to_mail = [row for row in rows if row.state == State.MAIL]
    smtp = get_connection() if to_mail else None
    try:
        for row in to_mail:
            mail = mails.get(row.event_id)
            if mail is None:
                mail = mails[row.event_id] = _Mail(row.event)
            if mail.target is None or mail.kind is None:  # deleted, or the kind is gone
                gone.append(row.pk)
                continue
            try:
                _send(smtp, mail, row)
            except Exception:  # one refused address must not stop the others
                logger.exception("notifications: could not e-mail notification %s", row.pk)
                failed.append(row.pk)
                smtp.close()  # type: ignore[union-attr]  # a fresh connection for the rest
            else:
                sent.append(row.pk)
    finally:
        if smtp is not None:
            smtp.close()
    now = timezone.now()
    mine = Notification.objects.filter(claim=rows[0].claim) if rows else Notification.objects.none()
    mine.filter(pk__in=sent).update(state=State.SENT, mailed_at=now, claim="")
    mine.filter(pk__in=gone).update(state=State.FAILED, claim="")
    mine.filter(state=State.PUSH).update(state=State.DIGEST, claim="")
    if failed:
        _retry(mine.filter(pk__in=failed), now)
    _push_counts({row.user_id for row in rows})
    return len(sent)


def _send(smtp, mail: _Mail, row: Notification) -> None:
    """Over SMTP (the real server): the prepared bytes on the open connection. Any other
    backend (tests' locmem, the console): the message object.

    The site's backend counts mails for /metrics (core.metrics.MeteredEmailBackend) around
    the one EMAIL_URL chose; the prepared bytes go to that inner SMTP backend and are
    counted here. (Handed to the counting backend as message objects, each mail was built
    again and sent over a connection of its own: some 30 ms a mail.)"""
    address = row.user.email
    inner = getattr(smtp, "inner", smtp)
    metered = inner is not smtp
    if isinstance(inner, SMTPBackend) and address.isascii():
        if inner.connection is None:
            inner.open()
        if inner.connection is None:  # not reached: open() raises when it cannot connect
            raise RuntimeError("no SMTP connection")
        sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        try:
            refused = inner.connection.sendmail(sender, [address], mail.raw(row))
            if refused:
                raise RuntimeError(f"refused: {refused}")
        except Exception:
            if metered:
                metrics.MAIL_FAILURES.inc()
            raise
        if metered:
            metrics.MAILS.inc()
        return
    if not smtp.send_messages([mail.message(row)]):
        raise RuntimeError("not sent")


def _retry(rows, now) -> None:
    rows.filter(attempts__gte=MAX_ATTEMPTS - 1).update(
        state=State.FAILED, attempts=F("attempts") + 1, claim=""
    )
    # 1, 4, 9, 16 minutes.
    for attempts in range(MAX_ATTEMPTS - 1):
        rows.filter(attempts=attempts).update(
            attempts=attempts + 1,
            next_try_at=now + timedelta(minutes=(attempts + 1) ** 2),
            claim="",
        )
    from django_tasks import default_task_backend

    from samskab.notifications.tasks import deliver

    if default_task_backend.supports_defer:
        deliver.using(run_after=now + timedelta(minutes=1, seconds=5)).enqueue()


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def _push_counts(user_ids) -> None:
    """Each person's open pages show their new unread count (the header's badge)."""
    if not user_ids:
        return
    counts = dict.fromkeys(user_ids, 0)
    counts.update(
        Notification.objects.filter(user_id__in=user_ids, read_at=None)
        .values_list("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    try:
        for user_id, count in counts.items():
            live.publish(f"notifications:{user_id}", "unread", _badge(count))
    except live.LiveUnavailable:
        logger.warning("notifications: live is unavailable; unread counts not pushed")


def _badge(count: int) -> dict:
    return {"count": count}


# --- the person's own actions -------------------------------------------------------------


def notification_read(*, user, pk: int) -> bool:
    done = bool(
        Notification.objects.filter(user=user, pk=pk, read_at=None).update(read_at=timezone.now())
    )
    if done:
        live.publish_on_commit(f"notifications:{user.pk}", "unread", _badge(unread_count(user)))
    return done


def notifications_read_all(*, user) -> int:
    done = Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
    live.publish_on_commit(f"notifications:{user.pk}", "unread", _badge(0))
    return done


def preference_set(*, user, kind: str, mode: str) -> None:
    if mode not in Mode.values:
        raise ValueError(mode)
    if kinds.by_key(kind) is None:
        raise ValueError(f"no activity kind {kind!r}")
    if mode == Mode.IMMEDIATELY:
        Preference.objects.filter(user=user, kind=kind).delete()
    else:
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})
    if mode == Mode.NEVER:
        # What waits for the digest is not sent either.
        Notification.objects.filter(user=user, kind=kind, state=State.DIGEST).update(
            state=State.DIGESTED
        )


DIGEST = "digest"  # the unsubscribe link of a digest: every kind the person gets in digests


def unsubscribe(*, user_id: int, kind: str) -> User | None:
    """One-click unsubscribe: `kind` is off (never) for this person from now on. Returns the
    person, or None when the account or the kind is gone."""
    user = User.objects.filter(pk=user_id, deleted_at=None).first()
    if user is None:
        return None
    if kind == DIGEST:
        for key in Preference.objects.filter(user=user, mode=Mode.DIGEST).values_list(
            "kind", flat=True
        ):
            preference_set(user=user, kind=key, mode=Mode.NEVER)
        return user
    if kinds.by_key(kind) is None:
        return None
    preference_set(user=user, kind=kind, mode=Mode.NEVER)
    return user


def preferences_of(user) -> dict[str, str]:
    """Every registered kind's mode for this person."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    return {k.key: chosen.get(k.key, Mode.IMMEDIATELY) for k in kinds.registered()}


# --- the daily digest -----------------------------------------------------------------------


def digest_send() -> int:
    """One e-mail per person with everything that waited for the digest, in the language of
    their newest notification; returns how many digests went."""
    waiting = (
        Notification.objects.filter(state=State.DIGEST)
        .select_related("user", "event__content_type")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in waiting:
        by_user[row.user_id].append(row)
    sent = 0
    smtp = get_connection()
    try:
        for rows in by_user.values():
            user = rows[0].user
            if not user.is_active or user.deleted_at or not user.email:
                Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                    state=State.DIGESTED
                )
                continue
            try:
                smtp.send_messages([_digest_mail(user, rows)])
            except Exception:
                logger.exception("notifications: could not e-mail the digest to %s", user.pk)
                smtp.close()
                continue
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                state=State.DIGESTED, mailed_at=timezone.now()
            )
            sent += 1
    finally:
        smtp.close()
    return sent


def _digest_mail(user, rows: list[Notification]) -> EmailMultiAlternatives:
    language = rows[-1].language
    items = []
    with translation.override(language):
        for row in rows:
            event = row.event
            ct = event.content_type
            kind = kinds.get(f"{ct.app_label}.{ct.model}", event.kind)
            target = event.target
            if kind is None or target is None:
                continue
            items.append(
                {
                    "title": str(target),
                    "url": _target_url(kind, event, target),
                    "headline": kind.headline(event) if kind.headline else kind.subject(event),
                    "note": event.note,
                    "when": event.created_at,
                }
            )
        context = {
            "items": items,
            "settings_url": settings.SITE_URL.rstrip("/") + reverse("notifications:settings"),
            "centre_url": settings.SITE_URL.rstrip("/") + reverse("notifications:list"),
            "unsubscribe_url": unsubscribe_url(user.pk, DIGEST),
        }
        mail = EmailMultiAlternatives(
            subject=_("Your daily digest: %(count)s news") % {"count": len(items)},
            body=render_to_string("notifications/email/digest.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        mail.attach_alternative(
            render_to_string("notifications/email/digest.html", context), "text/html"
        )
    return mail
