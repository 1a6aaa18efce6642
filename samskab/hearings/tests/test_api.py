"""The API: published hearings, the draft with its anchors, passages, answers, and a
comment on a passage under the same phase rules as the page."""

import pytest

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.hearings import services
from samskab.hearings.tests.factories import DRAFT, ProcessFactory, in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def process():
    process = in_phase(ProcessFactory(title="Åparken"), "draft")
    services.version_publish(process=process, user=StaffFactory(role=Role.EDITOR), markdown=DRAFT)
    return process


def test_the_list_and_the_draft_leave_unpublished_hearings_out(client, process):
    hidden = ProcessFactory(is_published=False)
    items = client.get("/api/v1/hearings").json()["items"]
    assert [i["title"] for i in items] == ["Åparken"] and items[0]["phase"] == "draft"
    assert client.get(f"/api/v1/hearings/{hidden.pk}").status_code == 404
    draft = client.get(f"/api/v1/hearings/{process.pk}/draft").json()
    assert draft["version"] == 1
    assert {"anchor": "p1-stk2", "label": "§ 1, stk. 2"}.items() <= draft["paragraphs"][4].items()


def test_a_comment_on_a_passage_by_sentences_and_its_refusals(client, process):
    url = f"/api/v1/hearings/{process.pk}/passages"
    body = {"anchor": "p2-stk1", "first_sentence": 1, "body": "Sorte tage"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    client.force_login(UserFactory())
    made = client.post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["quote"] == "Tage skal være røde." and made.json()["comments"] == 1
    assert client.get(url).json()["items"][0]["state"] == "exact"
    locked = client.post(
        url,
        {"anchor": "p2-stk1", "start": 4, "end": 4, "body": "x"},
        content_type="application/json",
    )
    assert locked.status_code == 400 and "empty" in locked.json()["detail"]
    in_phase(process, "hearing")
    assert client.post(url, body, content_type="application/json").status_code == 400


def test_only_published_answers_are_listed(client, process):
    in_phase(process, "hearing")
    services.answer_submit(
        process=process, user=UserFactory(), name="Åben", text="Ja", consent=True
    )
    services.answer_submit(
        process=process, user=UserFactory(), name="Lukket", text="Nej", consent=False
    )
    items = client.get(f"/api/v1/hearings/{process.pk}/answers").json()["items"]
    assert [i["name"] for i in items] == ["Åben"]
