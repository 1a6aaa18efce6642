"""A citizen's part in budgets is in their personal-data export; deleting the account stops
the e-mails of following."""

import json

import pytest
from django.core.files.base import ContentFile

from samskab.accounts.services import account_delete
from samskab.accounts.tests.factories import UserFactory
from samskab.budgets.models import ProjectDocument, ProjectImage, Support
from samskab.budgets.tests.factories import ProjectFactory
from samskab.follows.models import Follow
from samskab.follows.services import follow_add

pytestmark = pytest.mark.django_db

EXPORT_URL = "/konto/mine-data/"


def test_the_export_holds_the_persons_projects_follows_pictures_and_documents(client):
    user = UserFactory()
    other = UserFactory()
    own = ProjectFactory(author=user, title="Bænke ved søen", location_description="Søbredden")
    followed = ProjectFactory(title="Legeplads")
    follow_add(target=followed, user=user, language="da")
    follow_add(target=own, user=other)
    ProjectImage.objects.create(
        project=own, image=ContentFile(b"jpeg", name="soe.jpg"), alt="Søen", uploaded_by=user
    )
    ProjectImage.objects.create(
        project=own, image=ContentFile(b"jpeg", name="x.jpg"), alt="Andres", uploaded_by=other
    )
    ProjectDocument.objects.create(
        project=own,
        file=ContentFile(b"%PDF-1.4", name="tegning.pdf"),
        title="Tegning",
        size=8,
        uploaded_by=user,
    )
    Support.objects.create(project=followed, user=user)
    client.force_login(user)

    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    data = json.loads(response.content)["apps"]
    budgets = data["budgets"]
    [project] = budgets["projects"]
    assert (project["title"], project["place"]) == ("Bænke ved søen", "Søbredden")
    assert [(f["title"], f["language"]) for f in data["follows"]] == [("Legeplads", "da")]
    [picture] = budgets["pictures"]
    assert picture["description"] == "Søen" and picture["file"].endswith(".jpg")
    assert picture["project"]["url"] == own.get_absolute_url()
    [document] = budgets["documents"]
    assert (document["title"], document["bytes"]) == ("Tegning", 8)
    assert document["file"].endswith(".pdf")
    assert [s["project"]["id"] for s in budgets["supports"]] == [followed.pk]
    assert "Andres" not in response.content.decode()  # another person's picture


def test_a_deleted_account_follows_nothing():
    user = UserFactory()
    project = ProjectFactory()
    follow_add(target=project, user=user)
    account_delete(user=user)
    assert not Follow.objects.filter(user=user).exists()
