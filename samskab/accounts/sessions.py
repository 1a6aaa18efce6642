"""Ending a person's sessions on every device they are logged in on."""

from allauth.usersessions.models import UserSession


def end_all_sessions(user) -> int:
    """End every session `user` has, on every device, and return how many were ended.

    allauth.usersessions records each session at login, whatever the session backend.
    Called on logout and by account deletion. When the current request belongs to `user`,
    log it out as well (django.contrib.auth.logout): its session is gone from the store,
    and saving it again at the end of the request would fail.
    """
    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)
