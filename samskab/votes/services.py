"""Every write to binding votes: preparing, opening, casting a ballot, booths, closing,
the booth totals and their reconciliation, publishing the count.

A web ballot is cast in one transaction that writes the participation row first (unique per
person and vote: a second tab, or a booth that recorded the person, makes it fail and nothing
is written) and then the ballot, which shares no key with it. See docs/voting.md.
"""

from __future__ import annotations

import enum
import functools
import json
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samskab.accounts.models import CensusRecord
from samskab.activity import kinds
from samskab.activity.services import event_record
from samskab.core.smallcounts import age_band
from samskab.votes import results as counting_results
from samskab.votes import selectors
from samskab.votes.models import (
    Answer,
    Ballot,
    BindingVote,
    Booth,
    BoothCount,
    Channel,
    Participation,
    Question,
    Reconciliation,
)

log = logging.getLogger("samskab.votes")

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_LENGTH = 12


class VoteRefused(Exception):
    """A write that may not happen; the message is for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- preparing -------------------------------------------------------------------------


def vote_create(*, title: str, commitment: str, description: str = "", **fields) -> BindingVote:
    return BindingVote.objects.create(
        title=title, commitment=commitment, description=description, **fields
    )


def question_add(
    *,
    vote: BindingVote,
    text: str,
    kind: str = Question.Kind.SINGLE,
    answers: Sequence[str] = (),
    max_choices: int = 1,
    method: str = Question.Method.INSTANT_RUNOFF,
) -> Question:
    if vote.status != BindingVote.Status.DRAFT:
        raise VoteRefused(_("Questions can only be changed while the vote is being prepared."))
    position = vote.questions.count()
    question = Question.objects.create(
        vote=vote, text=text, kind=kind, max_choices=max_choices, method=method, position=position
    )
    if kind == Question.Kind.YES_NO and not answers:
        answers = [_("Yes"), _("No")]
    for i, answer in enumerate(answers):
        Answer.objects.create(question=question, text=answer, position=i)
    return question


def vote_start_from(*, origin, title: str, commitment: str, description: str = "") -> BindingVote:
    """Item 6's hook: a successful proposal (or any registered target) starts a vote, in
    draft, linked back to where it came from. The proposals app calls this; staff then add
    the questions and open it."""
    return vote_create(
        title=title,
        commitment=commitment,
        description=description,
        origin_type=ContentType.objects.get_for_model(origin),
        origin_id=origin.pk,
    )


def vote_areas_set(*, vote: BindingVote, by, text: str) -> BindingVote:
    """The postal districts' outlines (votes.areas); empty text removes them."""
    from samskab.votes.areas import AreasRefused, areas_parse

    if not by.has_perm("votes.locate_bindingvote", vote):
        raise VoteRefused(_("You may not change this vote's map."))
    try:
        vote.areas = areas_parse(vote, text) if text.strip() else ""
    except AreasRefused as refusal:
        raise VoteRefused(refusal.message) from None
    vote.save(update_fields=["areas"])
    log.info("vote %s areas set by %s", vote.pk, by.pk)
    return vote


def vote_open(*, vote: BindingVote, by) -> BindingVote:
    if not by.has_perm("votes.open_vote", vote):
        raise VoteRefused(_("You may not open this vote."))
    if not vote.questions.exists() or any(not q.answers.exists() for q in vote.questions.all()):
        raise VoteRefused(_("Every question needs answers before the vote opens."))
    now = timezone.now()
    vote.status = BindingVote.Status.OPEN
    vote.opened_at = now
    vote.opens_at = vote.opens_at or now
    with transaction.atomic():
        vote.save(update_fields=["status", "opened_at", "opens_at"])
        _origin_tell(vote, by)
    log.info("vote %s opened by %s", vote.pk, by.pk)
    return vote


# The step recorded on a vote's origin when voting opens; an origin's app registers it
# (activity.kinds) to have its followers told, as proposals do.
ORIGIN_OPENED = "vote_opened"


def _origin_tell(vote: BindingVote, by) -> None:
    """Voting has opened on a vote that a proposal (or another target) started: the step
    goes into the origin's history and its author and followers are told, through the
    kernel (activity and notifications), in the same transaction. Not at `vote_start_from`:
    a vote in preparation is not public yet, so there is nothing to follow a link to."""
    origin = vote.origin
    if origin is None or kinds.get(origin._meta.label_lower, ORIGIN_OPENED) is None:
        return
    event_record(target=origin, kind=ORIGIN_OPENED, note=vote.title, actor=by, notify=True)


def vote_close(*, vote: BindingVote, by) -> BindingVote:
    """Closes the vote and lays its ballots out again in random order (docs/voting.md).

    Closing takes the vote's lock alone (`_vote_lock`), so it waits for the ballots and
    booth records in flight to commit, and those that come later find the vote closed: no
    ballot lands after the close, and every one that landed is in the shuffle and the count.
    """
    if not by.has_perm("votes.close_vote", vote):
        raise VoteRefused(_("You may not close this vote."))
    with transaction.atomic():
        _vote_lock(vote, exclusive=True)
        vote = BindingVote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != BindingVote.Status.OPEN:
            raise VoteRefused(_("This vote is not open."))
        vote.status = BindingVote.Status.CLOSED
        vote.closed_at = timezone.now()
        vote.save(update_fields=["status", "closed_at"])
        ballots_shuffle(vote)
    _vacuum_ballots()
    log.info("vote %s closed by %s", vote.pk, by.pk)
    return vote


def ballots_shuffle(vote: BindingVote) -> int:
    """Rewrite the vote's ballots in a random order, in the caller's transaction: afterwards
    their physical order, and on PostgreSQL their transaction id (xmin), say nothing about
    when each was cast."""
    rows = list(Ballot.objects.filter(vote=vote).values_list("id", "day", "content", "receipt"))
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.filter(vote=vote).delete()
    for start in range(0, len(rows), 5000):
        Ballot.objects.bulk_create(
            Ballot(id=id_, vote=vote, day=day, content=content, receipt=receipt)
            for id_, day, content, receipt in rows[start : start + 5000]
        )
    return len(rows)


def _vacuum_ballots() -> None:
    # The deleted row versions still hold the old order until vacuumed (PostgreSQL only,
    # and only outside a transaction; in tests the test's transaction stays around it).
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {Ballot._meta.db_table}")


# --- casting a web ballot --------------------------------------------------------------


def ballot_check(vote: BindingVote, choices: Mapping[int, Sequence[int]]) -> dict[str, list[int]]:
    """The ballot's content, checked against the questions; refused with the reason."""
    content: dict[str, list[int]] = {}
    questions = selectors.ballot_rules(vote)
    known = {q.pk for q in questions}
    if set(choices) - known:
        raise VoteRefused(_("The ballot names a question that is not in this vote."))
    for question in questions:
        picked = list(choices.get(question.pk, []))
        valid = set(question.answers)
        if any(a not in valid for a in picked):
            raise VoteRefused(
                _("The ballot names an answer that is not in “%(q)s”.") % {"q": question.text}
            )
        if len(set(picked)) != len(picked):
            raise VoteRefused(_("An answer is named twice in “%(q)s”.") % {"q": question.text})
        if len(picked) > question.most:
            raise VoteRefused(
                _("Choose at most %(n)d answers in “%(q)s”.")
                % {"n": question.most, "q": question.text}
            )
        content[str(question.pk)] = picked
    return content


@dataclass(frozen=True)
class Cast:
    receipt_code: str  # shown once to the voter, kept nowhere


def receipt_code_new() -> str:
    # 32 letters and digits: each random byte picks one without bias (256 = 8 x 32).
    raw = "".join(RECEIPT_ALPHABET[b % 32] for b in secrets.token_bytes(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


# The first key of the vote's advisory lock (the second is the vote's number): "votes" 21.
VOTE_LOCK_KEY = 2_100_021


def _vote_lock_keys(vote: BindingVote) -> list[int]:
    return [VOTE_LOCK_KEY, vote.pk % 2**31]  # two int4 keys; a wrapped id only waits more


def _vote_lock(vote: BindingVote, *, exclusive: bool = False) -> None:
    """The vote's lock, held to the end of the transaction: ballots and booth records take it
    shared (they never wait for each other), closing takes it alone.

    It replaces a `SELECT ... FOR SHARE` of the vote's row, which was correct but wrote the
    row on every ballot (a multixact of the ballots in flight). Measured, that was not what
    made ballots slow (docs/benchmarks.md: the statements' Python was), but an advisory lock
    lives only in the lock table and leaves the vote's row alone. SQLite needs none: its
    transactions here begin IMMEDIATE, one writer at a time."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s::integer, %s::integer)", _vote_lock_keys(vote))


def _refuse_unless_open(vote: BindingVote) -> None:
    """The vote's status as committed now, read under the vote's lock: a close that
    committed before the lock was granted is seen here."""
    table = BindingVote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s", [vote.pk])  # noqa: S608
        row = cursor.fetchone()
    if not row or row[0] != BindingVote.Status.OPEN:
        raise VoteRefused(_("This vote is not open."))


def ballot_cast(*, vote: BindingVote, user, choices: Mapping[int, Sequence[int]]) -> Cast:
    """A web ballot: the participation row and the ballot row in one transaction, sharing
    no key.

    What a ballot costs is its statements and the Python that builds them, so there are
    two: who the voter is in the census (one query; the questions are kept per process
    while the vote is open), then the write (`_ballot_write`): on PostgreSQL one round trip
    that takes the vote's lock, reads its status and inserts both rows only if the
    participation is new. The unique index on the participation says whether they voted
    already (a second tab, a booth); only then is the earlier participation read, for the
    message.
    """
    if not user.has_perm("votes.cast_vote", vote):
        reason = selectors.eligibility(vote, user).reason
        raise VoteRefused(reason or _("You may not vote in this vote."))
    content = ballot_check(vote, choices)
    verdict = selectors.eligibility(vote, user, check_voted=False)
    if not verdict.allowed or verdict.record is None:
        raise VoteRefused(verdict.reason)
    record = verdict.record
    code = receipt_code_new()
    row = WebBallot(
        vote=vote.pk,
        person=selectors.person_key(vote, record.identifier_hash),
        day=timezone.localdate(),
        age_band=age_band(record.birth_date, vote.age_counted_on),
        postal_code=record.postal_code,
        ballot=uuid.uuid4(),  # random: the ballots' keys follow no order
        content=content,
        receipt=selectors.receipt_digest(code),
    )
    written = _ballot_write(vote, row)
    if written == Written.CLOSED:
        raise VoteRefused(_("This vote is not open."))
    if written == Written.VOTED_ALREADY:
        earlier = selectors.participation_of(vote, record)
        if earlier is None:  # gone since: only when the vote itself was deleted
            raise VoteRefused(_("This vote is not open."))
        raise _already_voted(earlier)
    return Cast(code)


@dataclass(frozen=True)
class WebBallot:
    """The two rows of a web ballot, as the database takes them."""

    vote: int
    person: str  # the participation's key (selectors.person_key)
    day: date
    age_band: str
    postal_code: str
    ballot: uuid.UUID  # the ballot's key, random
    content: dict[str, list[int]]
    receipt: str


class Written(enum.Enum):
    CAST = "cast"
    VOTED_ALREADY = "voted"
    CLOSED = "closed"


def _ballot_write(vote: BindingVote, row: WebBallot) -> Written:
    """Both rows in one transaction, under the vote's shared lock, only if the vote is open
    and the person has no participation yet. On PostgreSQL one round trip; elsewhere (and
    where the site binds parameters on the server) the same steps through the ORM."""
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    ):
        return _ballot_write_portable(vote, row)
    if not connection.in_atomic_block:
        return _ballot_write_postgresql(row)
    with transaction.atomic():  # inside the caller's transaction: undone alone on an error
        return _ballot_write_postgresql(row)


def _ballot_write_postgresql(row: WebBallot) -> Written:
    """Two statements sent as one query: PostgreSQL runs them as one transaction (or in the
    caller's). The first waits for the vote's lock (shared; a close takes it alone); the
    second, which reads the data as committed when it starts, so after the lock was
    granted, checks that the vote is open and inserts the participation, and the ballot
    only if the participation was new (`ON CONFLICT DO NOTHING` waits for a same person's
    participation in flight, as the unique index does, and then inserts nothing). Written
    out: the ORM building two inserts and a transaction cost more than the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            _ballot_write_sql(),
            # The lock's keys; the vote; the participation; the ballot.
            [
                VOTE_LOCK_KEY,
                row.vote % 2**31,
                row.vote,
                BindingVote.Status.OPEN.value,
                row.person,
                Channel.WEB.value,
                row.day,
                row.age_band,
                row.postal_code,
                row.ballot,
                row.vote,
                row.day,
                json.dumps(row.content),
                row.receipt,
            ],
        )
        cursor.nextset()  # the lock's row, then the write's
        is_open, inserted = cursor.fetchone()
    if not is_open:
        return Written.CLOSED
    return Written.CAST if inserted else Written.VOTED_ALREADY


@functools.cache
def _ballot_write_sql() -> str:
    votes = BindingVote._meta.db_table
    participations = Participation._meta.db_table
    ballots = Ballot._meta.db_table
    return f"""
        SELECT pg_advisory_xact_lock_shared(%s::integer, %s::integer);
        WITH vote AS (
            SELECT id FROM {votes} WHERE id = %s AND status = %s
        ), participation AS (
            INSERT INTO {participations}
                (vote_id, person, channel, booth_id, day, age_band, postal_code)
            SELECT id, %s, %s, NULL, %s, %s, %s FROM vote
            ON CONFLICT (vote_id, person) DO NOTHING
            RETURNING 1
        ), ballot AS (
            INSERT INTO {ballots} (id, vote_id, day, content, receipt)
            SELECT %s, %s, %s, %s::jsonb, %s FROM participation
            RETURNING 1
        )
        SELECT EXISTS (SELECT FROM vote), EXISTS (SELECT FROM participation)
    """  # noqa: S608  # our own table names; every value is a parameter


def _ballot_write_portable(vote: BindingVote, row: WebBallot) -> Written:
    try:
        with transaction.atomic():
            _vote_lock(vote)
            Participation.objects.create(
                vote_id=row.vote,
                person=row.person,
                channel=Channel.WEB,
                booth=None,
                day=row.day,
                age_band=row.age_band,
                postal_code=row.postal_code,
            )
            Ballot.objects.create(
                id=row.ballot,
                vote_id=row.vote,
                day=row.day,
                content=row.content,
                receipt=row.receipt,
            )
            # After the writes: on SQLite the write lock is held by now, so this reads the
            # latest commit there too.
            _refuse_unless_open(vote)
    except VoteRefused:
        return Written.CLOSED
    except IntegrityError:
        if not Participation.objects.filter(vote_id=row.vote, person=row.person).exists():
            raise  # another index failed (a receipt drawn twice): not ours to word
        return Written.VOTED_ALREADY
    return Written.CAST


def _participate(
    vote: BindingVote, record: CensusRecord, *, channel: str, booth: Booth | None, day: date
) -> Participation:
    """The row that says this person voted at a booth. A second one for the same person and
    vote breaks the unique index (IntegrityError, which ends the caller's transaction:
    nothing of it is written); the caller turns that into `_already_voted`."""
    return Participation.objects.create(
        vote=vote,
        person=selectors.person_key(vote, record.identifier_hash),
        channel=channel,
        booth=booth,
        day=day,
        age_band=age_band(record.birth_date, vote.age_counted_on),
        postal_code=record.postal_code,
    )


def _already_voted(earlier: Participation) -> VoteRefused:
    return VoteRefused(
        _("This person has already voted %(where)s. Nothing more was recorded.")
        % {"where": selectors.voted_where(earlier)}
    )


# --- booths ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    found: bool
    may_vote: bool
    message: str
    record: CensusRecord | None = None


def booth_lookup(*, booth: Booth, officer, identifier: str) -> Lookup:
    """What an officer on shift sees for the identifier on a polling card or an ID."""
    if not officer.has_perm("votes.officiate_booth", booth):
        raise VoteRefused(_("You are not on shift at this booth now."))
    record = selectors.record_of_identifier(identifier)
    if record is None:
        return Lookup(False, False, _("Nobody in the census has this identifier."))
    vote = booth.vote
    earlier = selectors.participation_of(vote, record)
    if earlier is not None:
        return Lookup(
            True,
            False,
            _("Already voted %(where)s. Do not hand out a ballot.")
            % {"where": selectors.voted_where(earlier)},
            record,
        )
    reason = selectors.rule_check(vote, record)
    if reason:
        return Lookup(True, False, reason, record)
    return Lookup(True, True, _("May vote: has not voted yet."), record)


def booth_record(*, booth: Booth, officer, identifier: str) -> Participation:
    """Records that the person voted on paper here (their ballot goes in the box). Under the
    vote's lock, as a web ballot is: a close waits for it, and the unique index decides
    between this and a web ballot of the same person at the same moment."""
    lookup = booth_lookup(booth=booth, officer=officer, identifier=identifier)
    if not lookup.may_vote or lookup.record is None:
        raise VoteRefused(lookup.message)
    vote = booth.vote
    try:
        with transaction.atomic():
            _vote_lock(vote)
            participation = _participate(
                vote, lookup.record, channel=Channel.BOOTH, booth=booth, day=timezone.localdate()
            )
            _refuse_unless_open(vote)
    except IntegrityError:
        earlier = selectors.participation_of(vote, lookup.record)
        if earlier is None:
            raise
        raise _already_voted(earlier) from None
    log.info(
        "vote %s: booth %s recorded a paper vote (officer %s)", booth.vote_id, booth.pk, officer.pk
    )
    return participation


def booth_count_enter(
    *, booth: Booth, officer, day: date, kind: str, ballots_in_box: int, totals: dict
) -> tuple[BoothCount, Reconciliation | None]:
    """One counting (count or recount) of a booth's day; once both are in, the day is
    reconciled: count against recount, ballots in the box against people recorded."""
    if not officer.has_perm("votes.count_booth", booth):
        raise VoteRefused(_("You may not enter totals for this booth."))
    if kind not in BoothCount.Kind.values:
        raise VoteRefused(_("Say whether this is the count or the recount."))
    if ballots_in_box < 0:
        raise VoteRefused(_("The number of ballots cannot be negative."))
    clean = totals_check(booth.vote, totals, ballots_in_box)
    with transaction.atomic():
        entry = BoothCount.objects.create(
            booth=booth,
            day=day,
            kind=kind,
            ballots_in_box=ballots_in_box,
            totals=clean,
            entered_by=officer,
        )
        other_kind = (
            BoothCount.Kind.RECOUNT if kind == BoothCount.Kind.COUNT else BoothCount.Kind.COUNT
        )
        other = (
            BoothCount.objects.filter(booth=booth, day=day, kind=other_kind)
            .order_by("-entered_at", "-pk")
            .first()
        )
        reconciliation = None
        if other is not None:
            count, recount = (entry, other) if kind == BoothCount.Kind.COUNT else (other, entry)
            people = selectors.people_recorded(booth, day)
            reconciliation = Reconciliation.objects.create(
                booth=booth,
                day=day,
                count=count,
                recount=recount,
                people_recorded=people,
                counts_agree=count.totals == recount.totals
                and count.ballots_in_box == recount.ballots_in_box,
                box_matches=recount.ballots_in_box == people,
            )
    log.info(
        "vote %s: booth %s %s for %s entered by %s%s",
        booth.vote_id,
        booth.pk,
        kind,
        day,
        officer.pk,
        ""
        if reconciliation is None
        else f"; reconciles={reconciliation.reconciles} (people {reconciliation.people_recorded},"
        f" box {reconciliation.recount.ballots_in_box})",
    )
    return entry, reconciliation


def totals_check(vote: BindingVote, totals: dict, ballots_in_box: int) -> dict:
    """Booth totals per question: every number whole and not negative, the answers of the
    question, and per question no more ballots than are in the box."""
    clean: dict[str, dict] = {}
    for question in selectors.questions_of(vote):
        given = totals.get(str(question.pk), {})
        valid = {str(a.pk) for a in question.answers.all()}
        answers = {k: int(v) for k, v in given.get("answers", {}).items()}
        if set(answers) - valid:
            raise VoteRefused(_("The totals name an answer that is not in the question."))
        rankings: list[tuple[int, list[int]]] = [
            (int(n), [int(a) for a in order]) for n, order in given.get("rankings", [])
        ]
        for n, order in rankings:
            if any(str(a) not in valid for a in order) or len(set(order)) != len(order) or n < 0:
                raise VoteRefused(
                    _("A ranking in “%(q)s” is not a ranking of its answers.")
                    % {"q": question.text}
                )
        blank, invalid = int(given.get("blank", 0)), int(given.get("invalid", 0))
        if min([blank, invalid, *answers.values()], default=0) < 0:
            raise VoteRefused(_("The totals cannot be negative."))
        marked = (
            sum(n for n, _order in rankings)
            if question.kind == Question.Kind.RANKING
            else sum(answers.values())
        )
        if question.kind in (Question.Kind.SINGLE, Question.Kind.YES_NO, Question.Kind.RANKING):
            if marked + blank + invalid > ballots_in_box:
                raise VoteRefused(
                    _("“%(q)s” has more votes than there are ballots in the box.")
                    % {"q": question.text}
                )
        elif marked > ballots_in_box * question.most:
            raise VoteRefused(
                _("“%(q)s” has more votes than its ballots can hold.") % {"q": question.text}
            )
        clean[str(question.pk)] = {
            "answers": {k: answers.get(k, 0) for k in sorted(valid, key=int)},
            "blank": blank,
            "invalid": invalid,
            "rankings": [[n, order] for n, order in sorted(rankings, key=lambda r: r[1])],
        }
    return clean


def reconciliation_accept(*, reconciliation: Reconciliation, by, note: str) -> Reconciliation:
    """A vote manager accepts a day that does not reconcile, saying why (logged)."""
    if not by.has_perm("votes.accept_count", reconciliation.booth):
        raise VoteRefused(_("You may not accept these totals."))
    note = note.strip()
    if not note:
        raise VoteRefused(_("Say why the difference is accepted."))
    reconciliation.accepted = True
    reconciliation.note = note
    reconciliation.accepted_by = by
    reconciliation.save(update_fields=["accepted", "note", "accepted_by"])
    log.info(
        "vote %s: booth %s %s accepted by %s",
        reconciliation.booth.vote_id,
        reconciliation.booth_id,
        reconciliation.day,
        by.pk,
    )
    return reconciliation


# --- publishing ----------------------------------------------------------------------------


def vote_publish(*, vote: BindingVote, by) -> BindingVote:
    """Counts the vote and publishes the results: only once it is closed and every booth
    day is reconciled (or accepted)."""
    if not by.has_perm("votes.publish_vote", vote):
        raise VoteRefused(_("Results are published only after the vote has closed."))
    missing = selectors.unreconciled(vote)
    if missing:
        raise VoteRefused(
            _("Booth totals are missing or do not reconcile: %(list)s.")
            % {"list": ", ".join(f"{booth} {day}" for booth, day in missing)}
        )
    with transaction.atomic():
        vote = BindingVote.objects.select_for_update().get(pk=vote.pk)
        vote.results = counting_results.count(vote)
        vote.status = BindingVote.Status.PUBLISHED
        vote.published_at = timezone.now()
        vote.save(update_fields=["results", "status", "published_at"])
    log.info("vote %s published by %s", vote.pk, by.pk)
    return vote
