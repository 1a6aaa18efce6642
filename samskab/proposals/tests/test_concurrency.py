"""Supports and withdrawals of one proposal at the same moment, on PostgreSQL with real
connections: the proposal's counter, the kernel's counter and a recount of the rows agree
afterwards, nobody supports twice, and every caller gets an answer (a support, or "already
support"), never a database error.

A support is an `INSERT ... ON CONFLICT DO NOTHING` and two counter UPDATEs without a read
lock first (services.support_counted, supports.services); a withdrawal deletes the row and
moves both counters back. Each moves the counters from the row's own value in the database,
so two at once cannot both write the same number.
"""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import translation

from samskab.proposals import services
from samskab.proposals.models import Proposal
from samskab.proposals.services import ProposalRefused
from samskab.proposals.tests.factories import ProposalFactory, ResidentFactory
from samskab.supports.models import Support, SupportCount
from samskab.supports.services import SupportRefused, support_remove

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _in_threads(jobs: list) -> list:
    """Run the jobs from THREADS threads, each with its own connection, all released at
    once; what each job returned or raised."""
    results: list = [None] * len(jobs)
    start = threading.Barrier(THREADS)
    lanes = [list(range(len(jobs)))[i::THREADS] for i in range(THREADS)]

    def lane(indices):
        try:
            start.wait()
            for index in indices:
                try:
                    with translation.override("en"):
                        results[index] = jobs[index]()
                except (ProposalRefused, SupportRefused) as refusal:
                    results[index] = f"refused: {refusal.message}"
                except Exception as error:  # what a visitor would see as a server error
                    results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=lane, args=(indices,)) for indices in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_supports_and_withdrawals_at_once_keep_both_counters_equal_to_a_recount():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one writer in at a time, so nothing here would run at the same "
            "moment; this is a PostgreSQL test (CI's PostgreSQL pass runs it)."
        )
    proposal = ProposalFactory()
    leaving = [ResidentFactory() for _ in range(12)]
    for person in leaving:
        services.proposal_support(proposal=proposal, user=person)
    coming = [ResidentFactory() for _ in range(24)]
    twice = coming[:6]  # these click twice: one support each, the other click refused

    def support(person):
        return lambda: services.proposal_support(proposal=proposal, user=person)

    def withdraw(person):
        return lambda: support_remove(target=proposal, user=person)

    jobs = [support(p) for p in coming] + [support(p) for p in twice]
    jobs += [withdraw(p) for p in leaving]
    jobs = jobs[::2] + jobs[1::2]  # supports and withdrawals interleaved across the lanes
    results = _in_threads(jobs)

    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    refused = [r for r in results if isinstance(r, str)]
    assert refused == ["refused: You already support this."] * len(twice), refused

    kind = ContentType.objects.get_for_model(Proposal)
    rows = Support.objects.filter(content_type=kind, object_id=proposal.pk)
    assert set(rows.values_list("user_id", flat=True)) == {p.pk for p in coming}
    proposal.refresh_from_db()
    assert proposal.support_count == len(coming) == rows.count()
    assert SupportCount.objects.get(content_type=kind, object_id=proposal.pk).count == len(coming)
    # The hot score is the one a recount gives.
    recounted = services.proposal_recount(proposal=Proposal.objects.get(pk=proposal.pk))
    assert recounted.hot_score == proposal.hot_score


def test_many_supports_at_once_across_the_threshold_make_it_successful_once(settings):
    """Each support is one statement without a transaction around it; success comes after
    it, and the conditional UPDATE lets exactly one of the supports that reach the
    threshold turn the proposal successful and tell its followers once."""
    if connection.vendor != "postgresql":
        pytest.skip("The race needs PostgreSQL (SQLite lets one writer in at a time).")
    from samskab.activity.models import Event
    from samskab.follows.models import Follow

    settings.PROPOSALS_SUPPORTS_NEEDED = 10
    proposal = ProposalFactory()
    people = [ResidentFactory() for _ in range(24)]
    results = _in_threads(
        [lambda p=p: services.proposal_support(proposal=proposal, user=p) for p in people]
    )
    assert not [r for r in results if isinstance(r, Exception | str)], results
    proposal.refresh_from_db()
    kind = ContentType.objects.get_for_model(Proposal)
    rows = Support.objects.filter(content_type=kind, object_id=proposal.pk).count()
    assert proposal.support_count == rows == len(people)
    assert SupportCount.objects.get(content_type=kind, object_id=proposal.pk).count == rows
    assert proposal.is_successful
    assert Event.objects.filter(object_id=proposal.pk, kind="succeeded").count() == 1
    assert Follow.objects.filter(content_type=kind, object_id=proposal.pk).count() == len(people)
    recounted = services.proposal_recount(proposal=Proposal.objects.get(pk=proposal.pk))
    assert recounted.hot_score == proposal.hot_score
