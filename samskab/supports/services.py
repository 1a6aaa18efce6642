"""Supporting a target and taking the support back. Keyword-only, one transaction each.

Who may support is the target's own rule (`<app>.support_<model>`, e.g. verified residents
in the selecting phase); how many a person may support is the target's `support_limit`
hook (budgets: projects in at most N headings of a group). With such a limit the person's
row is locked first, so two supports at once cannot both pass it; one support per person
and target is a unique constraint (no lock: the second insert is refused); the counter
moves by F() in the same transaction.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from samskab.core import targets
from samskab.supports.models import Support, SupportCount


class SupportRefused(Exception):
    """A support that was refused; `message` is for the person, in their language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _where(target) -> dict:
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def _lock(user) -> None:
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _count_move(target, step: int) -> None:
    where = _where(target)
    if SupportCount.objects.filter(**where).update(count=F("count") + step):
        return
    try:
        with transaction.atomic():
            SupportCount.objects.create(**where, count=max(step, 0))
    except IntegrityError:
        # Created by a support at the same moment: the row is there now.
        SupportCount.objects.filter(**where).update(count=F("count") + step)


def support_add(*, target, user) -> Support:
    if user is None or not user.is_authenticated:
        raise SupportRefused(_("Sign in to support."))
    registered = targets.target_of(target)
    if registered is None or "support" not in registered.capabilities:
        raise SupportRefused(_("This cannot be supported."))
    if not targets.allows(user, target, "support"):
        raise SupportRefused(_("You may not support this."))
    with transaction.atomic():
        if registered.support_limit is not None:
            # Only a per-person limit needs the person's row locked (two supports at once
            # must not both pass it) and the friendly answer before the limit's own.
            _lock(user)
            if Support.objects.filter(**_where(target), user=user).exists():
                raise SupportRefused(_("You already support this."))
            refusal = registered.support_limit(user, target)
            if refusal:
                raise SupportRefused(str(refusal))
        # Once per person and target: the unique constraint refuses the second, also when
        # two arrive at the same moment; no lock is held for it.
        try:
            with transaction.atomic():
                support = Support.objects.create(**_where(target), user=user)
        except IntegrityError:
            raise SupportRefused(_("You already support this.")) from None
        _count_move(target, 1)
    return support


def support_remove(*, target, user) -> None:
    """Take a support back, while the target's rule still lets the person support."""
    if user is None or not user.is_authenticated:
        raise SupportRefused(_("Sign in to support."))
    if not targets.allows(user, target, "support"):
        raise SupportRefused(_("Supports can no longer be changed here."))
    with transaction.atomic():
        _lock(user)
        deleted, _rows = Support.objects.filter(**_where(target), user=user).delete()
        if not deleted:
            raise SupportRefused(_("You do not support this."))
        _count_move(target, -1)


def supports_recount(*, target) -> int:
    """Set the counter from the rows (after a data migration, or as a check)."""
    where = _where(target)
    with transaction.atomic():
        count = Support.objects.filter(**where).count()
        SupportCount.objects.update_or_create(**where, defaults={"count": count})
    return count
