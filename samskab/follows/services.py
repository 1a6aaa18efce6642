"""Following and unfollowing a registered target (core.targets, capability "follow")."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.core import targets
from samskab.follows.models import Follow


class FollowRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _where(target) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def follow_add(*, target, user, language: str = "") -> Follow:
    """Follow `target` (twice is once). The target's own `<app>.follow_<model>` decides."""
    if not (user.is_authenticated and user.is_active):
        raise FollowRefused(_("Sign in to follow."))
    if not targets.is_visible(target, user) or not targets.allows(user, target, "follow"):
        raise FollowRefused(_("This cannot be followed."))
    # get_or_create inserts in a savepoint of its own and, when two clicks at once collide
    # on the unique constraint, reads the row the other one made.
    follow, _created = Follow.objects.get_or_create(
        **_where(target), user=user, defaults={"language": language}
    )
    return follow


def follow_ensure(*, target, user, language: str = "") -> None:
    """Follow `target` in the caller's transaction, one `INSERT ... ON CONFLICT DO NOTHING`
    (twice is once; no savepoint, no read back). For a caller that has just read the target
    and checked that the person may see it (a support of a proposal); the target's own
    follow rule is asked here too."""
    if not (user.is_authenticated and user.is_active) or not targets.allows(user, target, "follow"):
        raise FollowRefused(_("This cannot be followed."))
    Follow.objects.bulk_create(
        [Follow(**_where(target), user=user, language=language)], ignore_conflicts=True
    )


def follow_step(*, target, user, language: str = "") -> tuple[str, list]:
    """The follow as a step of a support written in one statement (PostgreSQL,
    supports.services.support_add_at_once): `INSERT ... ON CONFLICT DO NOTHING` of the new
    support's person and target, so a refused support follows nothing. The target's own
    follow rule is asked here, of the caller's copy, as `follow_ensure` does."""
    if not (user.is_authenticated and user.is_active) or not targets.allows(user, target, "follow"):
        raise FollowRefused(_("This cannot be followed."))
    table = connection.ops.quote_name(Follow._meta.db_table)
    return (
        f"INSERT INTO {table} (content_type_id, object_id, user_id, language, created_at) "  # noqa: S608  # our table name
        "SELECT content_type_id, object_id, user_id, %s, %s FROM {added} ON CONFLICT DO NOTHING",
        [language, timezone.now()],
    )


def follow_remove(*, target, user) -> None:
    with transaction.atomic():
        Follow.objects.filter(**_where(target), user=user).delete()
