"""Recording a step on a target, and telling its author and followers by e-mail.

The mail goes from a background task after the transaction commits (django-tasks), never in
the request: a step that reaches 50,000 followers costs the request one queued task.
"""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from samskab.activity import kinds
from samskab.activity.models import Event
from samskab.activity.selectors import recipients

logger = logging.getLogger(__name__)


def event_record(*, target, kind: str, note: str = "", actor=None, notify: bool = True) -> Event:
    """Add `kind` to the target's history; on commit, queue the mail to its people."""
    if kinds.get(target._meta.label_lower, kind) is None:
        raise ValueError(f"{target._meta.label_lower} registered no activity kind {kind!r}")
    with transaction.atomic():
        event = Event.objects.create(
            content_type=ContentType.objects.get_for_model(target),
            object_id=target.pk,
            kind=kind,
            note=note,
            actor=actor if actor is not None and actor.is_authenticated else None,
        )
    if notify:
        from samskab.activity.tasks import event_notify

        transaction.on_commit(lambda: event_notify.enqueue(event.pk))
    return event


def event_mail(*, event: Event) -> int:
    """E-mail the step to each recipient once, in their language; returns how many went.
    A failing mail server is logged: the history on the page still says it."""
    target = event.target
    if target is None:  # deleted since
        return 0
    kind = kinds.get(event.content_type.app_label + "." + event.content_type.model, event.kind)
    if kind is None:
        return 0
    absolute = getattr(target, "get_absolute_url", None)
    url = settings.SITE_URL.rstrip("/") + absolute() if absolute else settings.SITE_URL
    sent = 0
    for recipient in recipients(target):
        with translation.override(recipient.language):
            context = {
                "event": event,
                "target": target,
                "url": url,
                "is_author": recipient.is_author,
                "language": recipient.language,
                "headline": kind.headline(event) if kind.headline else kind.subject(event),
            }
            mail = EmailMultiAlternatives(
                subject=str(kind.subject(event)),
                body=render_to_string(f"{kind.template}.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[recipient.address],
            )
            mail.attach_alternative(render_to_string(f"{kind.template}.html", context), "text/html")
        try:
            mail.send()
        except Exception:  # one refused address must not stop the others
            logger.exception(
                "activity: could not e-mail %s about event %s", recipient.address, event.pk
            )
        else:
            sent += 1
    return sent
