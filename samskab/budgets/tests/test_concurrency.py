"""A poll officer enters a paper ballot at the same moment as the resident saves a web ballot:
on PostgreSQL, with two real connections, each gets an answer from the product, never a 500.

The web write holds the resident's account row; before the one lock order
(services.py, top), the paper write inserted its ballot first and then waited for that row in
its foreign key check, while the web write waited for the paper ballot's new row: a deadlock,
and "deadlock detected" as a server error for one of them.
"""

import threading
import time

import pytest
from django.db import connection
from django.utils import translation

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory
from samskab.budgets import services
from samskab.budgets.models import Ballot, BallotConflict, Project
from samskab.budgets.selectors import heading_election
from samskab.budgets.services import BudgetRefused, PaperOutcome
from samskab.budgets.tests.factories import (
    HeadingFactory,
    ProjectFactory,
    ResidentFactory,
    census_person,
)

pytestmark = pytest.mark.django_db(transaction=True)

SAME_MOMENT = "saved at the same moment"


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
        except BudgetRefused as refusal:
            results[name] = f"refused: {refusal}"
        except Exception as error:  # what a visitor would see as a 500
            results[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


@pytest.mark.parametrize("first", ["web", "paper"])
def test_a_paper_and_a_web_ballot_for_one_person_at_once_never_deadlock(monkeypatch, first):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one writer in at a time and has no row locks, so the two writes "
            "cannot take locks in opposite orders there; this is a PostgreSQL test."
        )
    heading = HeadingFactory(amount=1000)
    park, bench = (ProjectFactory(heading=heading, price=400) for _ in range(2))
    resident = ResidentFactory()
    census_person("0101801234", user=resident)
    officer = StaffFactory(role=Role.POLL_OFFICER)

    # The first writer stops right after it has locked the resident's account row and lets
    # the second one run into its locks; it goes on once PostgreSQL shows the second waiting.
    locked = threading.Event()
    waited: list[bool] = []
    original = services._lock

    def lock_and_hold(user):
        original(user)
        if threading.current_thread().name == first and not locked.is_set():
            locked.set()
            waited.append(_another_connection_waits_for_a_lock())

    monkeypatch.setattr(services, "_lock", lock_and_hold)

    def web():
        services.ballot_save(heading=heading, user=resident, project_ids=[park.pk])
        return "saved"

    def paper():
        return services.paper_ballot_enter(
            heading=heading, officer=officer, identifier="0101801234", project_ids=[bench.pk]
        )

    results: dict = {}
    work = {"web": web, "paper": paper}
    second = "paper" if first == "web" else "web"
    threads = [_run(first, results, work[first])]
    assert locked.wait(10), "the first writer never locked the account row"
    threads.append(_run(second, results, work[second]))
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads)

    # Each person got the product's own answer: nothing a visitor would see as a 500.
    for name, result in results.items():
        assert not isinstance(result, Exception), f"{name}: {result!r}"
    assert waited == [True]  # the two really met at the lock
    assert (
        results["paper"]
        in {
            PaperOutcome.ENTERED,
            PaperOutcome.REPLACED_WEB,
            PaperOutcome.WEB_KEPT,
        }
        or SAME_MOMENT in results["paper"]
    )
    # One ballot for the person, the paper one (this budget's rule), and a recount agrees.
    ballot = Ballot.objects.get(heading=heading)
    assert ballot.source == Ballot.Source.PAPER
    assert list(ballot.lines.values_list("project_id", flat=True)) == [bench.pk]
    assert heading_election(heading).voters == 1
    if first == "web":
        assert results == {"web": "saved", "paper": PaperOutcome.REPLACED_WEB}
        assert BallotConflict.objects.get().set_aside == [park.pk]
    else:
        assert results["paper"] == PaperOutcome.ENTERED
        assert "paper ballot from the polling station counts" in results["web"]
    assert Project.objects.count() == 2
