"""Supporting a target and taking the support back. Keyword-only, one transaction each.

Who may support is the target's own rule (`<app>.support_<model>`, e.g. verified residents
in the selecting phase); how many a person may support is the target's `support_limit`
hook (budgets: projects in at most N headings of a group). With such a limit the person's
row is locked first, so two supports at once cannot both pass it; one support per person
and target is a unique constraint (no lock: the second insert is refused); the counter
moves in the same transaction.

Without a per-person limit a support is two statements (the supports run in bursts: a
popular proposal): one `INSERT ... ON CONFLICT DO NOTHING RETURNING` (no row back: the
person already supports it, also when two arrive at the same moment; no savepoint) and
one upsert of the counter. The row is written without the ORM's `save`, so its
`post_save` is sent here as `save` would send it: the targets' own counters (proposals)
move in the same transaction, whichever door the support came through.

On PostgreSQL a target's app may instead add a support in one statement
(`support_add_at_once`): the support, the kernel's counter, the target's own counters and
other kernel rows (a follow) are written by data-modifying CTEs of one `INSERT ... ON
CONFLICT DO NOTHING`, checked against the target's row in the same statement, in one round
trip and no transaction of its own (a statement is atomic). A burst of supports of a popular
proposal spends its time in PostgreSQL, not in Python (`make bench-proposals`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone
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
    """One upsert: the counter's row is made by the first support (two first supports at
    once: the second adds to the row the first made)."""
    where = _where(target)
    table = connection.ops.quote_name(SupportCount._meta.db_table)
    # The table name is ours; every value is a placeholder.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_id, count) VALUES (%s, %s, %s) "  # noqa: S608  # our table name
            "ON CONFLICT (content_type_id, object_id) "
            f"DO UPDATE SET count = {table}.count + %s",
            [where["content_type"].pk, where["object_id"], max(step, 0), step],
        )


def _insert(target, user) -> Support | None:
    """The person's support, or None when they already support the target (SQLite 3.35+
    and PostgreSQL both have RETURNING)."""
    where = _where(target)
    now = timezone.now()
    table = connection.ops.quote_name(Support._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_id, user_id, created_at) "  # noqa: S608  # our table name
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [
                where["content_type"].pk,
                where["object_id"],
                user.pk,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    support = Support(pk=row[0], **where, user=user, created_at=now)
    support._state.adding = False
    support._state.db = connection.alias
    post_save.send(
        sender=Support,
        instance=support,
        created=True,
        update_fields=None,
        raw=False,
        using=connection.alias,
    )
    return support


def support_add(*, target, user) -> Support:
    if user is None or not user.is_authenticated:
        raise SupportRefused(_("Sign in to support."))
    registered = targets.target_of(target)
    if registered is None or "support" not in registered.capabilities:
        raise SupportRefused(_("This cannot be supported."))
    if not targets.allows(user, target, "support"):
        raise SupportRefused(_("You may not support this."))
    if registered.support_limit is not None:
        with transaction.atomic():
            # Only a per-person limit needs the person's row locked (two supports at once
            # must not both pass it) and the friendly answer before the limit's own.
            _lock(user)
            if Support.objects.filter(**_where(target), user=user).exists():
                raise SupportRefused(_("You already support this."))
            refusal = registered.support_limit(user, target)
            if refusal:
                raise SupportRefused(str(refusal))
            support = _insert(target, user)
            if support is None:
                raise SupportRefused(_("You already support this."))
            _count_move(target, 1)
        return support
    # Once per person and target: the unique constraint refuses the second, also when two
    # arrive at the same moment; no lock is held for it. Nothing is written when it is
    # refused, so the refusal needs no savepoint of its own (a caller's transaction goes on).
    with transaction.atomic(savepoint=False):
        support = _insert(target, user)
        if support is not None:
            _count_move(target, 1)
    if support is None:
        raise SupportRefused(_("You already support this."))
    return support


@dataclass(frozen=True)
class Counter:
    """What a target's own row does in a support's statement. SQL about the target's row,
    named `t`, with `%s` placeholders: `open` the condition the row must meet to take a
    support (its rule as the database sees it: not closed, not hidden); `moves` the SET
    clause of its own columns (`support_count = t.support_count + 1`), empty for none;
    `returning` what the caller reads back after they moved."""

    open: str = "true"
    open_params: Sequence = ()
    moves: str = ""
    moves_params: Sequence = ()
    returning: str = "t.id"


@dataclass(frozen=True)
class Added:
    """What `support_add_at_once` did: `open` is False when the target's row did not meet
    its condition (nothing was written); `support` is None when the person already
    supports it; `row` is the target's `returning` after its counters moved."""

    open: bool
    support: Support | None
    row: tuple | None


def support_add_at_once(
    *, target, user, counter: Counter = Counter(), steps: Sequence[tuple[str, Sequence]] = ()
) -> Added:
    """A support in one statement (PostgreSQL), for a target without a per-person limit,
    which the caller has read in this request: its rule is asked of that copy here, and
    `counter.open` asks its row again in the statement. `steps` write other kernel rows
    with a new support, as (sql, params): a data-modifying statement that reads the new
    support's `content_type_id`, `object_id` and `user_id` from `{added}`
    (follows.services.follow_step). Nothing is written when the row is
    not open or the person already supports it; both are in the answer, not raised, so
    the caller can say why in its own words.

    The writes are chained (the support, then the target's row, then the kernel's counter,
    then the steps), so every support locks the target's row before the counter's, as
    `support_remove` does: a support and a withdrawal at once cannot deadlock."""
    if user is None or not user.is_authenticated:
        raise SupportRefused(_("Sign in to support."))
    registered = targets.target_of(target)
    if registered is None or "support" not in registered.capabilities:
        raise SupportRefused(_("This cannot be supported."))
    if registered.support_limit is not None:
        raise ValueError(f"{registered.label} limits supports per person: use support_add")
    if not targets.allows(user, target, "support"):
        raise SupportRefused(_("You may not support this."))
    kind = ContentType.objects.get_for_model(target).pk
    now = timezone.now()
    quote = connection.ops.quote_name
    table = quote(target._meta.db_table)
    supports = quote(Support._meta.db_table)
    counts = quote(SupportCount._meta.db_table)
    moves = counter.moves or "id = t.id"
    ctes = [
        f"open_row AS (SELECT t.id FROM {table} t WHERE t.id = %s AND ({counter.open}))",  # noqa: S608  # our tables, the target app's SQL
        f"added AS (INSERT INTO {supports} (content_type_id, object_id, user_id, created_at) "  # noqa: S608  # our tables, the target app's SQL
        "SELECT %s, id, %s, %s FROM open_row ON CONFLICT DO NOTHING "
        "RETURNING id, content_type_id, object_id, user_id)",
        f"moved AS (UPDATE {table} t SET {moves} FROM added WHERE t.id = added.object_id "  # noqa: S608  # our tables, the target app's SQL
        f"RETURNING added.id AS support_id, {counter.returning})",
        f"counted AS (INSERT INTO {counts} (content_type_id, object_id, count) "  # noqa: S608  # our tables, the target app's SQL
        "SELECT %s, %s, 1 FROM moved "
        f"ON CONFLICT (content_type_id, object_id) DO UPDATE SET count = {counts}.count + 1 "
        "RETURNING 1)",
    ]
    params: list = [target.pk, *counter.open_params, kind, user.pk, now, *counter.moves_params]
    params += [kind, target.pk]
    for number, (step, step_params) in enumerate(steps):
        # After the counter (each reads it), so the locks come in one order.
        source = f"step_source_{number}"
        ctes.append(f"{source} AS (SELECT added.* FROM added, counted)")  # noqa: S608  # our tables, the target app's SQL
        ctes.append(f"step_{number} AS ({step.format(added=source)})")
        params += step_params
    # The table names are ours; the targets' SQL is their own code's; values are placeholders.
    sql = (
        "WITH " + ", ".join(ctes) + " SELECT (SELECT count(*) FROM open_row), moved.* "  # noqa: S608
        "FROM (SELECT count(*) FROM counted) AS done LEFT JOIN moved ON true"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found, support_id, *row = cursor.fetchone()
    if support_id is None:
        return Added(open=bool(found), support=None, row=None)
    support = Support(
        pk=support_id, content_type_id=kind, object_id=target.pk, user=user, created_at=now
    )
    support._state.adding = False
    support._state.db = connection.alias
    return Added(open=True, support=support, row=tuple(row))


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
