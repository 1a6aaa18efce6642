"""The questions a ballot is checked against are kept per process while the vote is open (a
ballot's cost is its statements), and are read again after any change; the admin shows an
open vote's questions and answers read-only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samskab.core.tests.factories import administrator
from samskab.votes import selectors, services
from samskab.votes.models import Answer, Ballot, Participation, Question
from samskab.votes.services import VoteRefused
from samskab.votes.tests.factories import choices_for, resident, vote_with_questions

pytestmark = pytest.mark.django_db


def test_an_open_votes_questions_are_read_once_per_process():
    vote = vote_with_questions()
    first = selectors.ballot_rules(vote)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.ballot_rules(vote) == first
    assert len(queries) == 0
    assert [q.most for q in first] == [1, 2, 1, 1000]


def test_a_ballot_costs_two_round_trips():
    """The census record, then the write: on PostgreSQL one query (the lock, the status and
    both inserts); on SQLite the lock is the IMMEDIATE transaction and the rows go in one by
    one. Not the questions, and not a look-up of an earlier participation."""
    vote = vote_with_questions()
    user, _ident = resident()
    selectors.ballot_rules(vote)
    choices = choices_for(vote)
    with CaptureQueriesContext(connection) as queries:
        services.ballot_cast(vote=vote, user=user, choices=choices)
    statements = [q["sql"].split()[0].upper() for q in queries]
    # PostgreSQL: "SELECT pg_advisory_xact_lock_shared(...); WITH ... INSERT ..." at once.
    write = ["SELECT"] if connection.vendor == "postgresql" else ["INSERT", "INSERT", "SELECT"]
    # Tests run inside a transaction, so the write's is a savepoint here.
    assert statements == ["SELECT", "SAVEPOINT", *write, "RELEASE"]
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Participation.objects.filter(vote=vote).count() == 1


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_ballot_is_two_queries_and_no_transaction_statements():
    """Outside a transaction (as a request runs) the write is one query that PostgreSQL runs
    as a transaction of its own: no BEGIN, no COMMIT, and both rows are there after it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes in an IMMEDIATE transaction of Django's (BEGIN, COMMIT)")
    vote = vote_with_questions()
    user, _ident = resident()
    selectors.ballot_rules(vote)
    choices = choices_for(vote)
    with CaptureQueriesContext(connection) as queries:
        services.ballot_cast(vote=vote, user=user, choices=choices)
    assert len(queries) == 2, [q["sql"][:60] for q in queries]
    assert "pg_advisory_xact_lock_shared" in queries[1]["sql"]
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Participation.objects.filter(vote=vote).count() == 1
    with pytest.raises(VoteRefused, match="already voted on the web"):
        services.ballot_cast(vote=vote, user=user, choices=choices)
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_a_changed_answer_is_seen_at_once():
    vote = vote_with_questions()
    question = vote.questions.first()
    before = selectors.ballot_rules(vote)
    added = Answer.objects.create(question=question, text="Nyt", position=9)
    assert added.pk in selectors.ballot_rules(vote)[0].answers
    added.delete()
    assert selectors.ballot_rules(vote) == before
    user, _ident = resident()
    with pytest.raises(VoteRefused, match="not in"):
        services.ballot_cast(vote=vote, user=user, choices={question.pk: [added.pk]})


def test_the_admin_shows_an_open_votes_questions_read_only(client):
    vote = vote_with_questions()
    draft = vote_with_questions(status="draft")
    client.force_login(administrator()[0])
    question = vote.questions.first()
    page = client.get(reverse("admin:votes_question_change", args=[question.pk]))
    assert page.status_code == 200
    assert 'name="text"' not in page.text  # shown, not editable
    post = client.post(
        reverse("admin:votes_question_change", args=[question.pk]),
        {"text": "Ændret", "kind": "single", "max_choices": 1, "method": "irv", "position": 0},
    )
    assert post.status_code == 403
    assert Question.objects.get(pk=question.pk).text == "Hvilket forslag?"
    open_page = client.get(reverse("admin:votes_bindingvote_change", args=[vote.pk]))
    assert 'name="questions-0-text"' not in open_page.text
    draft_page = client.get(reverse("admin:votes_bindingvote_change", args=[draft.pk]))
    assert 'name="questions-0-text"' in draft_page.text
    add = client.get(reverse("admin:votes_question_add"))
    assert f'<option value="{draft.pk}"' in add.text
    assert f'<option value="{vote.pk}"' not in add.text
