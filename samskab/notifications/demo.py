"""The demo's steps notify people as real ones do, so the notification centre has something
to show, but nobody is e-mailed for them: `samskab demo` seeds a site, it does not write to
the demo's made-up addresses (or to a real mailbox set up to catch a test site's mail)."""

from collections.abc import Iterable

from django.utils import timezone

from samskab.notifications.models import Notification, State


def demo_starts(context: dict) -> Iterable[str]:
    context["notifications_since"] = timezone.now()
    return []


def demo_mails_nothing(context: dict) -> Iterable[str]:
    since = context.get("notifications_since")
    if since is None:
        return []
    # Shown in the centre (and counted in the header), never e-mailed, not even in a digest.
    Notification.objects.filter(created_at__gte=since, state__in=[State.MAIL, State.DIGEST]).update(
        state=State.SHOWN
    )
    return []
