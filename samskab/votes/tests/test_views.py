"""The pages: a resident votes and gets a receipt, is told why not, an officer records a
paper vote, totals are entered, the results page, CSV and API after publishing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.votes.models import Ballot, BindingVote, Participation, Question, Reconciliation
from samskab.votes.tests.factories import booth_with_officer, resident, vote_with_questions

pytestmark = pytest.mark.django_db


def _form(vote, first: int = 0) -> dict:
    data: dict = {}
    for question in vote.questions.all():
        answers = list(question.answers.all())
        if question.kind == Question.Kind.RANKING:
            for place, answer in enumerate(answers, start=1):
                data[f"rank-{question.pk}-{answer.pk}"] = str(place)
        elif question.kind == Question.Kind.MULTIPLE:
            data[f"q-{question.pk}"] = [str(answers[0].pk), str(answers[1].pk)]
        else:
            data[f"q-{question.pk}"] = str(answers[first].pk)
    return data


def test_a_draft_is_not_found_by_the_public(client):
    vote = vote_with_questions(status="draft")
    assert client.get(vote.get_absolute_url()).status_code == 404
    assert client.get(reverse("votes:list")).status_code == 200


def test_a_resident_votes_and_gets_a_receipt_once(client):
    vote = vote_with_questions()
    user, _ = resident()
    client.force_login(user)
    page = client.get(vote.get_absolute_url())
    assert "Cast my ballot" in page.text and "Byrådet følger resultatet." in page.text
    response = client.post(reverse("votes:cast", args=[vote.pk]), _form(vote))
    assert response.status_code == 200
    assert "Your receipt code" in response.text
    assert response["Cache-Control"] == "no-store"
    assert Ballot.objects.count() == 1
    again = client.post(reverse("votes:cast", args=[vote.pk]), _form(vote, first=1))
    assert again.status_code == 400 and "already voted on the web" in again.text
    assert Ballot.objects.count() == 1
    assert "already voted on the web" in client.get(vote.get_absolute_url()).text


def test_two_answers_on_the_same_place_are_refused(client):
    vote = vote_with_questions()
    user, _ = resident()
    client.force_login(user)
    data = _form(vote)
    ranking = vote.questions.get(kind=Question.Kind.RANKING)
    for answer in ranking.answers.all():
        data[f"rank-{ranking.pk}-{answer.pk}"] = "1"
    response = client.post(reverse("votes:cast", args=[vote.pk]), data)
    assert response.status_code == 400 and "same place" in response.text
    assert not Participation.objects.exists()


def test_someone_who_may_not_vote_is_told_why_without_a_ballot(client):
    vote = vote_with_questions(postal_codes="8200")
    user, _ = resident(postal_code="8000")
    client.force_login(user)
    page = client.get(vote.get_absolute_url())
    assert "postal districts 8200" in page.text and "Cast my ballot" not in page.text
    client.force_login(UserFactory())
    assert "Only verified residents" in client.get(vote.get_absolute_url()).text


def test_an_officer_records_a_paper_vote_and_enters_reconciled_totals(client):
    vote = vote_with_questions()
    booth, officer = booth_with_officer(vote)
    _web_voter, web_ident = resident()
    _paper_voter, paper_ident = resident()
    client.force_login(_web_voter)
    client.post(reverse("votes:cast", args=[vote.pk]), _form(vote))
    staff_sign_in(client, officer)
    desk = reverse("votes:booth", args=[booth.pk])
    found = client.post(desk, {"identifier": web_ident, "action": "lookup"})
    assert "Already voted on the web" in found.text and "Record the paper vote" not in found.text
    found = client.post(desk, {"identifier": paper_ident, "action": "lookup"})
    assert "May vote" in found.text
    client.post(desk, {"identifier": paper_ident, "action": "record"})
    assert Participation.objects.filter(channel="booth").count() == 1
    data = {"day": timezone.localdate().isoformat(), "ballots_in_box": "1"}
    for question in vote.questions.all():
        answers = list(question.answers.all())
        if question.kind == Question.Kind.RANKING:
            data[f"rankings-{question.pk}"] = "1: 2, 1"
        else:
            data[f"a-{answers[0].pk}"] = "1"
    count_url = reverse("votes:booth_count", args=[booth.pk])
    client.post(count_url, {**data, "kind": "count"})
    client.post(count_url, {**data, "kind": "recount"})
    assert Reconciliation.objects.get().reconciles
    assert "Reconciles" in client.get(count_url).text


def test_an_officer_off_shift_gets_a_clear_refusal(client):
    vote = vote_with_questions()
    booth, officer = booth_with_officer(vote, on_shift=False)
    staff_sign_in(client, officer)
    response = client.get(reverse("votes:booth", args=[booth.pk]))
    assert response.status_code == 403 and "not on shift" in response.text


def test_results_page_csv_and_api_after_publishing_only(client):
    vote = vote_with_questions()
    for i in range(6):
        user, _ = resident()
        client.force_login(user)
        client.post(reverse("votes:cast", args=[vote.pk]), _form(vote, first=i % 2))
    results = reverse("votes:results", args=[vote.pk])
    assert client.get(results).status_code == 404
    assert client.get(f"/api/v1/votes/{vote.pk}/results").status_code == 404
    editor = StaffFactory(role=Role.EDITOR)
    staff_sign_in(client, editor)
    client.post(reverse("votes:close", args=[vote.pk]))
    client.post(reverse("votes:publish", args=[vote.pk]))
    vote.refresh_from_db()
    assert vote.status == BindingVote.Status.PUBLISHED
    page = client.get(results)
    assert page.status_code == 200 and "Instant-runoff rounds" in page.text
    assert "6 people voted." in page.text
    csv = client.get(reverse("votes:results_csv", args=[vote.pk]))
    assert "Grønt;3;0;3" in csv.content.decode()
    api = client.get(f"/api/v1/votes/{vote.pk}/results").json()
    assert api["questions"][0]["answers"][0]["total"] == 3
    assert len(api["counted_receipts"]) == 6
    assert client.get(f"/api/v1/votes/{vote.pk}").json()["questions"][3]["kind"] == "ranking"
