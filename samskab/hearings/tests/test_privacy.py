"""A person's hearing answers in their data download, and kept in the case file after the
account is deleted (only the link to the account goes)."""

import json

import pytest

from samskab.accounts import services as accounts
from samskab.accounts.tests.factories import UserFactory
from samskab.hearings.models import Answer
from samskab.hearings.tests.factories import ProcessFactory

pytestmark = pytest.mark.django_db


def test_an_answer_is_in_the_download_and_stays_in_the_case_file_after_deletion(client):
    user = UserFactory()
    process = ProcessFactory()
    answer = Answer.objects.create(
        process=process, author=user, name="Karen Holm", text="Bevar stien.", number=1
    )
    client.force_login(user)
    data = json.loads(client.get("/konto/mine-data/").content)["apps"]["hearings"]
    assert [a["text"] for a in data["answers"]] == ["Bevar stien."]

    accounts.account_delete(user=user)
    answer.refresh_from_db()
    assert answer.author is None and answer.text == "Bevar stien."
    assert answer.name == "Karen Holm"  # the name given in the answer, part of the record
