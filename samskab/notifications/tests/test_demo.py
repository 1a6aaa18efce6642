import pytest
from django.core import mail

from samskab.core.demo import demo_load
from samskab.notifications.models import Notification, State


@pytest.mark.django_db(transaction=True)
def test_the_demo_fills_the_notification_centre_and_mails_nobody(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo_load()
    from samskab.notifications.services import deliver

    deliver()
    notifications = Notification.objects.all()
    assert notifications.exists(), "the demo's steps notify their followers"
    assert set(notifications.values_list("state", flat=True)) == {State.SHOWN}
    assert mail.outbox == []
