from samskab.notifications import services


def on_event_recorded(sender, *, event, target, **kwargs) -> None:
    services.event_notify(event=event, target=target)


def own_channel(user, viewer, key: str) -> bool:
    return bool(user.is_authenticated and key == str(user.pk))
