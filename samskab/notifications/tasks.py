"""Background work of the notifications app, run by the worker (`samskab worker`)."""

from django_tasks import task

from samskab.notifications import services


@task()
def deliver() -> int:
    """E-mail what is due, chunk by chunk, until nothing is left; several run at once."""
    return services.deliver()
