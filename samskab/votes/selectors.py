"""Reads for binding votes: who may vote and why not, a person's participation, booths,
reconciliations, the published results and the list of counted ballots."""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samskab.accounts.census import hash_identifier
from samskab.accounts.models import CensusRecord, ResidenceVerification
from samskab.core.smallcounts import age_on
from samskab.votes.models import (
    Ballot,
    BindingVote,
    Booth,
    Channel,
    Participation,
    Reconciliation,
    Shift,
)


def person_key(vote: BindingVote, identifier_hash: str) -> str:
    """The person's key in this vote only (a keyed hash: not the census hash, not reusable
    across votes)."""
    message = f"votes:{vote.pk}:{identifier_hash}".encode()
    return hmac.new(settings.CENSUS_PEPPER.encode(), message, hashlib.sha256).hexdigest()


def receipt_digest(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


def normalise_receipt(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str = ""  # why not, in the reader's language
    record: CensusRecord | None = None
    voted: Participation | None = None  # the earlier participation, when that is the reason


def record_of_user(user) -> CensusRecord | None:
    """The census record of the resident the account was verified as: one query, written
    out because every ballot makes it (the ORM building it cost more CPU than PostgreSQL
    answering it; docs/benchmarks.md, binding_vote)."""
    if not user.is_authenticated:
        return None
    sql, fields = _record_of_user_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        row = cursor.fetchone()
    return None if row is None else CensusRecord.from_db(connection.alias, fields, row)


@functools.cache
def _record_of_user_sql() -> tuple[str, list[str]]:
    census, verified = CensusRecord._meta, ResidenceVerification._meta
    fields = [f.attname for f in census.concrete_fields]
    columns = ", ".join(
        f"c.{connection.ops.quote_name(f.column or '')}" for f in census.concrete_fields
    )
    sql = (
        f"SELECT {columns} FROM {census.db_table} c "  # noqa: S608  # our own table names
        f"WHERE c.identifier_hash = (SELECT v.identifier_hash FROM {verified.db_table} v "
        "WHERE v.user_id = %s)"
    )
    return sql, fields


def record_of_identifier(identifier: str) -> CensusRecord | None:
    digest = hash_identifier(identifier, pepper=settings.CENSUS_PEPPER)
    return CensusRecord.objects.filter(identifier_hash=digest).first()


def participation_of(vote: BindingVote, record: CensusRecord) -> Participation | None:
    return (
        Participation.objects.filter(vote=vote, person=person_key(vote, record.identifier_hash))
        .select_related("booth")
        .first()
    )


def voted_where(participation: Participation) -> str:
    if participation.channel == Channel.WEB:
        return _("on the web")
    return _("at the booth %(booth)s") % {"booth": participation.booth}


def rule_check(vote: BindingVote, record: CensusRecord) -> str:
    """Why this census record may not vote in `vote` ("" if it may): the area, the age."""
    codes = vote.postal_code_list
    if codes and record.postal_code not in codes:
        return _(
            "This vote is for residents of postal districts %(codes)s; the census has you "
            "in %(code)s."
        ) % {"codes": ", ".join(codes), "code": record.postal_code}
    if vote.min_age is not None:
        day: date = vote.age_counted_on
        if age_on(record.birth_date, day) < vote.min_age:
            return _("This vote is for residents aged %(age)d or over on %(day)s.") % {
                "age": vote.min_age,
                "day": date_format(day, "j. F Y"),
            }
    return ""


def eligibility(vote: BindingVote, user, *, check_voted: bool = True) -> Eligibility:
    """May `user` vote on the web in `vote` now, and if not, why (told before the ballot).
    Casting passes `check_voted=False`: there the unique index answers whether they voted."""
    if vote.status != BindingVote.Status.OPEN:
        return Eligibility(False, _("This vote is not open."))
    if not user.is_authenticated:
        return Eligibility(False, _("Sign in as a verified resident to vote."))
    if not user.is_resident_verified:
        return Eligibility(
            False, _("Only verified residents may vote. Verify your residence first.")
        )
    record = record_of_user(user)
    if record is None:
        return Eligibility(
            False,
            _(
                "The municipality's census does not have you now, so you cannot vote. Ask "
                "the municipality if you think this is wrong."
            ),
        )
    earlier = participation_of(vote, record) if check_voted else None
    if earlier is not None:
        return Eligibility(
            False,
            _("You have already voted %(where)s.") % {"where": voted_where(earlier)},
            record,
            earlier,
        )
    reason = rule_check(vote, record)
    if reason:
        return Eligibility(False, reason, record)
    return Eligibility(True, "", record)


def vote_list(user) -> QuerySet[BindingVote]:
    votes = BindingVote.objects.all()
    if not user.has_perm("votes.manage_vote"):
        votes = votes.exclude(status=BindingVote.Status.DRAFT)
    return votes


def questions_of(vote: BindingVote) -> list:
    return list(vote.questions.prefetch_related("answers"))


@dataclass(frozen=True)
class QuestionRule:
    """What a ballot is read and checked against for one question."""

    pk: int
    text: str
    kind: str
    most: int  # how many answers one ballot may name
    answers: tuple[int, ...]  # in their order on the ballot


# Per process, for open votes only: their questions no longer change once open (the service
# refuses, the admin shows them read-only), and any save or delete of a vote, a question or
# an answer empties it (`rules_forget`, connected in apps.py).
_rules_of_open_votes: dict[int, tuple[QuestionRule, ...]] = {}


def ballot_rules(vote: BindingVote) -> tuple[QuestionRule, ...]:
    """The vote's questions as a ballot needs them: no query for an open vote after the
    first (a ballot's cost is its statements; docs/benchmarks.md, binding_vote)."""
    is_open = vote.status == BindingVote.Status.OPEN
    cached = _rules_of_open_votes.get(vote.pk) if is_open else None
    if cached is not None:
        return cached
    found = tuple(
        QuestionRule(
            pk=q.pk,
            text=q.text,
            kind=q.kind,
            most=q.most,
            answers=tuple(a.pk for a in q.answers.all()),
        )
        for q in questions_of(vote)
    )
    if is_open:
        _rules_of_open_votes[vote.pk] = found
    return found


def rules_forget(**_kwargs) -> None:
    """A vote, question or answer was saved or deleted: read the rules again."""
    _rules_of_open_votes.clear()


def shifts_now(user) -> QuerySet[Shift]:
    now = timezone.now()
    return Shift.objects.filter(officer=user, starts_at__lte=now, ends_at__gt=now).select_related(
        "booth__vote"
    )


def people_recorded(booth: Booth, day: date) -> int:
    return Participation.objects.filter(booth=booth, day=day).count()


def booth_days(vote: BindingVote) -> list[tuple[Booth, date, int]]:
    """Every booth and day on which people were recorded, with how many."""
    from django.db.models import Count

    rows = (
        Participation.objects.filter(vote=vote, channel=Channel.BOOTH)
        .values("booth", "day")
        .annotate(n=Count("pk"))
        .order_by("booth", "day")
    )
    booths = {b.pk: b for b in vote.booths.all()}
    return [(booths[row["booth"]], row["day"], row["n"]) for row in rows]


def reconciliation_of(booth: Booth, day: date) -> Reconciliation | None:
    return (
        Reconciliation.objects.filter(booth=booth, day=day).order_by("-created_at", "-pk").first()
    )


def unreconciled(vote: BindingVote) -> list[tuple[Booth, date]]:
    """Booth days whose totals are missing, or do not reconcile and were not accepted."""
    missing = []
    for booth, day, _n in booth_days(vote):
        latest = reconciliation_of(booth, day)
        if latest is None or not (latest.reconciles or latest.accepted):
            missing.append((booth, day))
    return missing


def counted_receipts(vote: BindingVote) -> list[str]:
    """The published list: the fingerprints of the counted web ballots, in their own order."""
    if vote.status != BindingVote.Status.PUBLISHED:
        return []
    return sorted(
        receipt[:16]
        for receipt in Ballot.objects.filter(vote=vote).values_list("receipt", flat=True)
    )


def receipt_counted(vote: BindingVote, code: str) -> bool | None:
    """None before publication; else whether the ballot with this receipt code was counted."""
    if vote.status != BindingVote.Status.PUBLISHED:
        return None
    return Ballot.objects.filter(vote=vote, receipt=receipt_digest(code)).exists()
