"""Group commit for vox-pop votes: one writer thread per process writes many votes at once.

The fast vote path (`polls.fastvote`) hands each checked request to `VoteWriter.submit` and
awaits its outcome. The writer thread takes every vote waiting (after a short gather window
when there are few) and, per poll, writes them in ONE transaction:

1. the poll row, locked against `poll_close` (SQLite: the write lock; PostgreSQL: FOR SHARE,
   so two processes' batches do not wait for each other, but a close waits for them);
2. one `INSERT ... SELECT ... JOIN option JOIN question WHERE poll ... ON CONFLICT DO
   NOTHING RETURNING`: an option of another poll joins nothing, a second vote hits the
   unique index (one vote per voter per question), and the rows returned are the votes
   that counted, each one's own answer;
3. one counter UPDATE per option, and the counters read back for the live result.

After the commit the tally is published once (coalesced, as the normal path does) and the
poll box is rendered once per language and outcome for the whole batch.

Anything the batch cannot decide the way the normal view would (a closed or draft poll, a
policy other than anyone-once-per-viewer, a poll of several questions, an option the form
would refuse, the rate limit reached, a database error) comes back as FALL_THROUGH, and the
request goes on to the normal Django view, which checks everything again and answers as it
always has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samskab import live
from samskab.core.db import serialised_writes
from samskab.core.ratelimit import hit_key
from samskab.live.brokers import get_broker as live_broker
from samskab.polls.models import Option, Poll, Question, Vote
from samskab.polls.selectors import option_counters, poll_shape, tally_from_counters

logger = logging.getLogger(__name__)

COUNTED = "counted"
ALREADY = "already"
FALL_THROUGH = "fall_through"

# The vote limit of every path (this one, the vote view, the API), in the same counters:
# strict per viewer, and per address so that fresh cookies do not start from nothing.
RATE_GROUP = "poll-vote"
RATE = "20/m"
RATE_PER_ADDRESS = "300/h"

GATHER_SECONDS = 0.002  # wait this long for company when a batch would be small
SMALL_BATCH = 8
MAX_BATCH = 1000


@dataclass
class Ticket:
    """One vote request, checked as far as it can be without the database."""

    poll_pk: int
    fields: dict[str, str]  # the form (last value of each name, as request.POST reads it)
    viewer_key: str  # hashed viewer token
    language: str
    address: str = ""  # the address pseudonym (core.clientaddress), for the rate limit
    loop: asyncio.AbstractEventLoop | None = None
    future: asyncio.Future | None = None


@dataclass
class Outcome:
    kind: str
    status: int = 0
    html: bytes = b""


@dataclass
class _Pending:
    ticket: Ticket
    option_id: int
    question_id: int


class VoteWriter:
    """One per process; the thread starts with the first vote."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Ticket] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def submit(self, ticket: Ticket) -> Outcome:
        loop = asyncio.get_running_loop()
        ticket.loop = loop
        ticket.future = loop.create_future()
        self.start()
        self._queue.put(ticket)
        return await ticket.future

    def start(self) -> None:
        """Start the thread (it prepares itself, so the first votes do not wait for that)."""
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="samskab-vote-writer", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """End the thread and close its database connection (tests; the server's threads end
        with the process)."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(10)

    def _take(self) -> list[Ticket] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = time.monotonic() + GATHER_SECONDS
        while len(batch) < MAX_BATCH:
            try:
                ticket = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if len(batch) >= SMALL_BATCH or remaining <= 0:
                    break
                try:
                    ticket = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if ticket is None:  # stop() after this batch
                self._queue.put(None)
                break
            batch.append(ticket)
        return batch

    def _run(self) -> None:
        _prepare()
        while True:
            batch = self._take()
            if batch is None:
                connection.close()
                return
            try:
                outcomes = write_batch(batch)
            except Exception:
                # The normal view will check and answer each of these on its own.
                logger.exception(
                    "polls: a batch of %d votes failed; they go the normal way", len(batch)
                )
                outcomes = [Outcome(FALL_THROUGH)] * len(batch)
                with contextlib.suppress(Exception):  # a broken connection may not close
                    connection.close()
            _resolve(batch, outcomes)


def _prepare() -> None:
    """What the first batch would otherwise pay for: this thread's database connection, the
    poll box's templates, the translations and the live broker."""
    try:
        connection.ensure_connection()
        get_template("polls/partials/poll_box.html")
        get_template("polls/partials/results.html")
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                _("Thank you, your vote is counted.")
        live_broker()
    except Exception:
        logger.warning("polls: the vote writer could not prepare itself", exc_info=True)


def _resolve(batch: list[Ticket], outcomes: list[Outcome]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, Outcome]]] = defaultdict(
        list
    )
    for ticket, outcome in zip(batch, outcomes, strict=True):
        if ticket.loop is not None and ticket.future is not None:
            by_loop[ticket.loop].append((ticket.future, outcome))
    for loop, pairs in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed (shutting down)
            loop.call_soon_threadsafe(_set_results, pairs)


def _set_results(pairs: list[tuple[asyncio.Future, Outcome]]) -> None:
    for future, outcome in pairs:
        if not future.done():  # the client may have gone away
            future.set_result(outcome)


# --- the batch ----------------------------------------------------------------------------


def write_batch(batch: list[Ticket]) -> list[Outcome]:
    """Outcomes in the order of `batch`. Runs in the writer thread (or a test)."""
    outcomes: dict[int, Outcome] = {}
    by_poll: dict[int, list[int]] = defaultdict(list)
    for index, ticket in enumerate(batch):
        by_poll[ticket.poll_pk].append(index)
    for poll_pk, indexes in by_poll.items():
        for index, outcome in _write_poll(poll_pk, [batch[i] for i in indexes]):
            outcomes[indexes[index]] = outcome
    return [outcomes.get(i, Outcome(FALL_THROUGH)) for i in range(len(batch))]


def _write_poll(poll_pk: int, tickets: list[Ticket]) -> list[tuple[int, Outcome]]:
    shape = poll_shape(poll_pk)
    if len(shape.questions) != 1:
        return []  # several questions (or none): the normal view
    # A poll the batch would not count goes to the vote view, which counts each attempt
    # against the rate limit: not counting it here as well keeps the limit the view's. (The
    # state is checked again under the lock in _commit.)
    # A poll of an unpublished meeting is not counted here either: the view refuses it.
    state = (
        Poll.objects.filter(pk=poll_pk)
        .values_list("status", "voter_policy", "meeting__is_published")
        .first()
    )
    if state is None or state[:2] != (Poll.Status.OPEN, Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER):
        return []
    if state[2] is False:
        return []
    question = shape.questions[0]
    choices = {str(pk): pk for pk, _text in question.options}
    pending: dict[int, _Pending] = {}
    seen: set[str] = set()
    already_in_batch: list[int] = []
    for index, ticket in enumerate(tickets):
        option_id = choices.get(ticket.fields.get(f"q{question.id}", ""))
        if option_id is None:
            continue  # the form's error message, from the normal view
        if not hit_key(
            RATE_GROUP,
            f"viewer:{ticket.viewer_key}",
            RATE,
            address=ticket.address,
            per_address=RATE_PER_ADDRESS,
        ):
            continue  # the normal view answers 429 (and counts the attempt once more)
        if ticket.viewer_key in seen:
            already_in_batch.append(index)  # a double click inside one batch
            continue
        seen.add(ticket.viewer_key)
        pending[index] = _Pending(ticket, option_id, question.id)
    if not pending:
        return []

    poll, inserted, counters = _commit(poll_pk, question, pending)
    if poll is None:
        return []  # closed, draft, gone or another policy: the normal view says which

    not_inserted = [i for i, p in pending.items() if f"v:{p.ticket.viewer_key}" not in inserted]
    voted_before: set[str] = set()
    if not_inserted or already_in_batch:
        keys = [f"v:{tickets[i].viewer_key}" for i in not_inserted + already_in_batch]
        voted_before = set(
            Vote.objects.filter(question_id=question.id, voter_key__in=keys).values_list(
                "voter_key", flat=True
            )
        )
    tally = tally_from_counters(poll, shape, counters) if counters is not None else None
    if tally is not None and poll.show_results_live:
        live.publish_coalesced(poll.channel, "tally", str(poll.pk), tally)

    pages: dict[tuple[str, str], bytes] = {}
    results: list[tuple[int, Outcome]] = []
    for index, ticket in enumerate(tickets):
        key = f"v:{ticket.viewer_key}"
        if index in pending and key in inserted:
            kind, status = COUNTED, 200
        elif (index in pending or index in already_in_batch) and key in voted_before:
            kind, status = ALREADY, 409
        else:
            continue
        page = pages.get((kind, ticket.language))
        if page is None:
            page = _render(poll, tally, kind, ticket.language)
            pages[(kind, ticket.language)] = page
        results.append((index, Outcome(kind, status, page)))
    return results


def _commit(poll_pk: int, question, pending: dict[int, _Pending]):
    """(poll, inserted voter keys, counters or None); poll is None when the batch may not
    be counted here."""
    vendor = connection.vendor
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    poll_table = connection.ops.quote_name(Poll._meta.db_table)
    with serialised_writes(), transaction.atomic():
        lock = " FOR SHARE" if vendor == "postgresql" else ""
        poll = next(
            iter(Poll.objects.raw(f"SELECT * FROM {poll_table} WHERE id = %s{lock}", [poll_pk])),  # noqa: S608  # our table name
            None,
        )
        if (
            poll is None
            or poll.status != Poll.Status.OPEN
            or poll.voter_policy != Poll.VoterPolicy.ANYONE_ONCE_PER_VIEWER
        ):
            return None, set(), None
        # In key order, and the counters in option order: two processes' batches then take
        # their row locks in the same order and cannot deadlock (PostgreSQL).
        votes = sorted((f"v:{p.ticket.viewer_key}", p.option_id) for p in pending.values())
        rows = _insert(vendor, now, poll_pk, votes)
        inserted = {key for key, _option in rows}
        per_option: dict[int, int] = defaultdict(int)
        for _key, option_id in rows:
            per_option[option_id] += 1
        for option_id, count in sorted(per_option.items()):
            Option.objects.filter(pk=option_id).update(votes=F("votes") + count)
        counters = (
            option_counters(o for o, _t in question.options) if poll.show_results_live else None
        )
    return poll, inserted, counters


def _insert(vendor: str, now, poll_pk: int, votes: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Insert the votes whose option belongs to the poll and whose voter has not voted on
    its question; return (voter_key, option_id) of the rows inserted."""
    quote = connection.ops.quote_name
    vote_t, option_t, question_t = (quote(m._meta.db_table) for m in (Vote, Option, Question))
    # Table names are ours; every value is a placeholder.
    head = (
        f"INSERT INTO {vote_t} (poll_id, question_id, option_id, voter_key, created_at) "
        "SELECT q.poll_id, o.question_id, o.id, v.voter_key, %s "
    )
    tail = (
        f"JOIN {option_t} o ON o.id = v.option_id "
        f"JOIN {question_t} q ON q.id = o.question_id "
        "WHERE q.poll_id = %s "
        "ON CONFLICT DO NOTHING RETURNING voter_key, option_id"
    )
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                head + "FROM unnest(%s::text[], %s::bigint[]) AS v(voter_key, option_id) " + tail,
                [now, [k for k, _o in votes], [o for _k, o in votes], poll_pk],
            )
            return [(k, o) for k, o in cursor.fetchall()]
        # SQLite (3.35+ for RETURNING): a VALUES list, at most 500 votes per statement.
        rows: list[tuple[str, int]] = []
        for start in range(0, len(votes), 500):
            chunk = votes[start : start + 500]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            params: list = [now]
            for key, option_id in chunk:
                params += [key, option_id]
            params.append(poll_pk)
            source = "FROM (SELECT column1 AS voter_key, column2 AS option_id FROM (VALUES "
            source += values + ")) v "
            cursor.execute(head + source + tail, params)
            rows += [(k, o) for k, o in cursor.fetchall()]
        return rows


def _render(poll: Poll, tally: dict | None, kind: str, language: str) -> bytes:
    """The poll box the vote view answers a fetch with, for this outcome and language."""
    with translation.override(language):
        if kind == COUNTED:
            message = Message(message_levels.SUCCESS, _("Thank you, your vote is counted."))
        else:
            message = Message(
                message_levels.ERROR,
                _("Thank you, your vote is already counted. Each voter can vote once."),
            )
        context = {
            "poll": poll,
            "form": None,
            "has_voted": True,
            "tally": tally if poll.results_visible else None,
            "fragment": True,
            "messages": [message],
        }
        return render_to_string("polls/partials/poll_box.html", context).encode()
