"""Ballots, booth records and the close at the same moment, on PostgreSQL with real
connections: a close waits for the ballots in flight and counts them, a ballot that comes
while the vote closes is refused, and a web ballot and a booth record of one person at once
leave one participation. Each test holds the first writer inside its transaction until
PostgreSQL shows the second one waiting, so the two really meet.

A web ballot is one round trip in a transaction of its own (`services._ballot_write`), so
there is no moment in Python to hold it inside its transaction: where the web ballot comes
first it is cast inside a transaction of the test's (as in a request's transaction) and held
after its write; where it comes second it runs as the site runs it.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import translation

from samskab.core.tests.factories import administrator
from samskab.votes import services
from samskab.votes.models import Ballot, BindingVote, Participation
from samskab.votes.services import VoteRefused
from samskab.votes.tests.factories import (
    booth_with_officer,
    choices_for,
    resident,
    vote_with_questions,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one writer in at a time (IMMEDIATE transactions), so two writes "
            "cannot be inside their transactions at once; this is a PostgreSQL test."
        )


def _another_connection_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """Poll PostgreSQL until another backend of this database waits for a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh statistics each time
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.005)
    return False


def _run(name: str, results: dict, work) -> threading.Thread:
    def target():
        try:
            with translation.override("en"):
                results[name] = work()
        except VoteRefused as refusal:
            results[name] = f"refused: {refusal.message}"
        except Exception as error:  # what a visitor would see as a 500
            results[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


def _hold(monkeypatch, name: str, who: str) -> tuple[threading.Event, threading.Event]:
    """Stop thread `who` right after `services.<name>` returns, inside its transaction,
    until released. Returns (reached, release)."""
    reached, release = threading.Event(), threading.Event()
    original = getattr(services, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if threading.current_thread().name == who and not reached.is_set():
            reached.set()
            assert release.wait(20), "never released"
        return result

    monkeypatch.setattr(services, name, held)
    return reached, release


def _web_in_a_transaction(vote, voter) -> str:
    with transaction.atomic():
        services.ballot_cast(vote=vote, user=voter, choices=choices_for(vote))
    return "cast"


def _join(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads)


def test_a_close_waits_for_a_ballot_in_flight_and_counts_it(monkeypatch):
    vote = vote_with_questions()
    voter, _ident = resident()
    admin = administrator()[0]
    # The ballot has written both rows under the lock, and has not committed.
    reached, release = _hold(monkeypatch, "_ballot_write", "ballot")
    shuffled: list[int] = []
    shuffle = services.ballots_shuffle
    monkeypatch.setattr(services, "ballots_shuffle", lambda v: shuffled.append(shuffle(v)))

    results: dict = {}
    ballot = _run("ballot", results, lambda: _web_in_a_transaction(vote, voter))
    assert reached.wait(10), "the ballot never wrote"
    close = _run("close", results, lambda: services.vote_close(vote=vote, by=admin))
    waited = _another_connection_waits_for_a_lock()
    still_closing = close.is_alive()
    release.set()
    _join(ballot, close)

    assert waited and still_closing, "the close did not wait for the ballot in flight"
    assert results["ballot"] == "cast", results["ballot"]
    assert isinstance(results["close"], BindingVote), results["close"]
    # The ballot is counted, and it was in the ballots the close laid out again.
    assert shuffled == [1]
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Participation.objects.filter(vote=vote).count() == 1
    assert BindingVote.objects.get(pk=vote.pk).status == BindingVote.Status.CLOSED


def test_a_ballot_that_comes_while_the_vote_closes_is_refused(monkeypatch):
    vote = vote_with_questions()
    voter, _ident = resident()
    admin = administrator()[0]
    # The close holds the vote's lock and has laid the ballots out, and has not committed.
    reached, release = _hold(monkeypatch, "ballots_shuffle", "close")

    results: dict = {}
    close = _run("close", results, lambda: services.vote_close(vote=vote, by=admin))
    assert reached.wait(10), "the close never reached the shuffle"
    ballot = _run(
        "ballot",
        results,
        lambda: services.ballot_cast(vote=vote, user=voter, choices=choices_for(vote)),
    )
    waited = _another_connection_waits_for_a_lock()
    release.set()
    _join(ballot, close)

    assert waited, "the ballot did not wait for the close"
    assert results["ballot"] == "refused: This vote is not open."
    assert isinstance(results["close"], BindingVote), results["close"]
    # Nothing landed after the close: no ballot and no participation.
    assert not Ballot.objects.filter(vote=vote).exists()
    assert not Participation.objects.filter(vote=vote).exists()


@pytest.mark.parametrize("first", ["web", "booth"])
def test_a_web_ballot_and_a_booth_record_of_one_person_at_once_count_once(monkeypatch, first):
    vote = vote_with_questions()
    voter, ident = resident()
    booth, officer = booth_with_officer(vote)
    # The first has inserted the person's participation and not committed; the second runs
    # into the unique index and waits for it.
    reached, release = _hold(
        monkeypatch, "_ballot_write" if first == "web" else "_participate", first
    )

    def web():
        if first == "web":
            return _web_in_a_transaction(vote, voter)
        services.ballot_cast(vote=vote, user=voter, choices=choices_for(vote))
        return "cast"

    def paper():
        services.booth_record(booth=booth, officer=officer, identifier=ident)
        return "recorded"

    work = {"web": web, "booth": paper}
    second = "booth" if first == "web" else "web"
    results: dict = {}
    threads = [_run(first, results, work[first])]
    assert reached.wait(10), "the first writer never inserted its participation"
    threads.append(_run(second, results, work[second]))
    waited = _another_connection_waits_for_a_lock()
    release.set()
    _join(*threads)

    assert waited, "the second writer did not meet the first at the unique index"
    where = "on the web" if first == "web" else f"at the booth {booth.name}"
    assert results == {
        first: "cast" if first == "web" else "recorded",
        second: f"refused: This person has already voted {where}. Nothing more was recorded.",
    }
    participation = Participation.objects.get(vote=vote)
    assert participation.channel == first
    assert Ballot.objects.filter(vote=vote).count() == (1 if first == "web" else 0)


def test_a_second_tab_waits_for_the_first_ballot_and_is_refused(monkeypatch):
    vote = vote_with_questions()
    voter, _ident = resident()
    # The first tab's ballot has written both rows and not committed; the second tab's
    # write (one round trip, as the site sends it) meets its participation and waits.
    reached, release = _hold(monkeypatch, "_ballot_write", "first")
    results: dict = {}
    first = _run("first", results, lambda: _web_in_a_transaction(vote, voter))
    assert reached.wait(10), "the first tab never wrote"

    def second_tab():
        services.ballot_cast(vote=vote, user=voter, choices=choices_for(vote, first=1))
        return "cast"

    second = _run("second", results, second_tab)
    waited = _another_connection_waits_for_a_lock()
    release.set()
    _join(first, second)

    assert waited, "the second tab did not meet the first at the unique index"
    assert results == {
        "first": "cast",
        "second": "refused: This person has already voted on the web. Nothing more was recorded.",
    }
    assert Participation.objects.filter(vote=vote).count() == 1
    assert Ballot.objects.filter(vote=vote).count() == 1
