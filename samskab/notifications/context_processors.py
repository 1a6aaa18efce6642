from django.utils.functional import SimpleLazyObject


def unread(request) -> dict:
    """`notifications_unread` for the header: counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.pk is None:
        return {}

    def count() -> int:
        from samskab.notifications.services import unread_count

        return unread_count(user)

    return {"notifications_unread": SimpleLazyObject(count)}
