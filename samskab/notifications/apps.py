from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "samskab.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from samskab import live
        from samskab.activity.models import Event
        from samskab.activity.signals import event_recorded
        from samskab.core import demo
        from samskab.core import privacy as registry
        from samskab.notifications import privacy
        from samskab.notifications.demo import demo_mails_nothing, demo_starts
        from samskab.notifications.receivers import on_event_recorded, own_channel

        event_recorded.connect(on_event_recorded, sender=Event, dispatch_uid="notifications")
        # `notifications:<user id>`: the person's unread count, for that person only.
        live.register_channel(
            "notifications", authorize=own_channel, events={"unread": {"count": int}}
        )
        registry.register("notifications", export=privacy.export, anonymise=privacy.anonymise)
        privacy.describe_data()
        # First and last of the demo's parts: what the demo's steps notify is never e-mailed.
        demo.register("notifications-start", demo_starts, order=0)
        demo.register("notifications-quiet", demo_mails_nothing, order=10_000)
