from samskab.notifications import services


def on_event_recorded(sender, *, event, target, recipients=None, **kwargs) -> None:
    services.event_notify(event=event, target=target, recipients=recipients)


def own_channel(user, viewer, key: str) -> bool:
    return bool(user.is_authenticated and key == str(user.pk))
