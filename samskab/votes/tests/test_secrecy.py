"""The hidden link between voter and ballot is absent: no column, no key, no time finer than
the day, and (once the vote is closed) no physical order or transaction id joins a
participation row to a ballot. docs/voting.md says what this does not cover."""

import logging

import pytest
from django.db import connection, models

from samskab.core.tests.factories import administrator
from samskab.votes import selectors, services
from samskab.votes.models import Ballot, Participation
from samskab.votes.tests.factories import choices_for, resident, vote_with_questions

pytestmark = pytest.mark.django_db


def test_no_column_of_a_ballot_names_a_person_a_participation_or_a_moment():
    fields = {f.name: f for f in Ballot._meta.get_fields()}
    assert set(fields) == {"id", "vote", "day", "content", "receipt"}
    assert isinstance(fields["id"], models.UUIDField)  # random, not a sequence
    assert isinstance(fields["day"], models.DateField)
    assert not isinstance(fields["day"], models.DateTimeField)
    relations = [f for f in Ballot._meta.get_fields() if f.is_relation]
    assert [f.name for f in relations] == ["vote"]
    # Nothing on either side points at the other; they share only the vote and the day.
    assert not any(f.related_model is Ballot for f in Participation._meta.get_fields())
    assert not any(f.related_model is Participation for f in Ballot._meta.get_fields())
    shared = {f.column for f in Ballot._meta.concrete_fields} & {
        f.column for f in Participation._meta.concrete_fields
    }
    assert shared == {"id", "vote_id", "day"}
    assert not Ballot._meta.ordering and not Ballot._meta.get_latest_by


def _physical_order(model) -> list:
    table = model._meta.db_table
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    column = "receipt" if model is Ballot else "person"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {order}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _rank_correlation(a: list[int], b: list[int]) -> float:
    n = len(a)
    d2 = sum((x - y) ** 2 for x, y in zip(a, b, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_after_closing_no_ordering_follows_the_participation_rows(caplog):
    caplog.set_level(logging.DEBUG)
    vote = vote_with_questions()
    voter_of_receipt, voter_of_person = {}, {}
    for i in range(40):
        user, _ = resident()
        code = services.ballot_cast(vote=vote, user=user, choices=choices_for(vote, first=i % 3))
        voter_of_receipt[selectors.receipt_digest(code.receipt_code)] = i
        record = selectors.record_of_user(user)
        voter_of_person[selectors.person_key(vote, record.identifier_hash)] = i
        # Nothing is logged when a ballot is cast: no account, no code, no moment.
        assert not [r for r in caplog.records if r.name.startswith("samskab.votes")]
    people = [voter_of_person[p] for p in _physical_order(Participation)]
    before = [voter_of_receipt[r] for r in _physical_order(Ballot)]
    # While the vote is open the rows lie in the order they were written (the threat model
    # says so); closing lays the ballots out again at random.
    assert before == people
    services.vote_close(vote=vote, by=administrator()[0])
    after = [voter_of_receipt[r] for r in _physical_order(Ballot)]
    assert sorted(after) == sorted(people)
    assert after != people
    assert abs(_rank_correlation(people, after)) < 0.6
    # No index or key sorts ballots by the time they came in either: their keys are random.
    by_key = [
        voter_of_receipt[r] for r in Ballot.objects.order_by("id").values_list("receipt", flat=True)
    ]
    assert abs(_rank_correlation(people, by_key)) < 0.6
    days = set(Ballot.objects.values_list("day", flat=True))
    assert len(days) == 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT xmin::text FROM {Ballot._meta.db_table}")  # noqa: S608
            assert len(cursor.fetchall()) == 1  # one transaction id for every ballot


def test_the_receipt_code_is_kept_nowhere():
    vote = vote_with_questions()
    user, _ = resident()
    code = services.ballot_cast(vote=vote, user=user, choices=choices_for(vote)).receipt_code
    ballot = Ballot.objects.get()
    assert code not in ballot.receipt and code.replace("-", "") not in ballot.receipt
    assert ballot.receipt == selectors.receipt_digest(code)
