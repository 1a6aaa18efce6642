"""Background work of the activity app, run by the worker (`samskab worker`)."""

from django_tasks import task

from samskab.activity import services
from samskab.activity.models import Event


@task()
def event_notify(event_id: int) -> int:
    event = Event.objects.select_related("content_type").filter(pk=event_id).first()
    if event is None:
        return 0
    return services.event_mail(event=event)
