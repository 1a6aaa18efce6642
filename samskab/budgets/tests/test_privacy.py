"""A citizen's part in budgets is in their personal-data export (with the place of their
projects, and their pictures and documents in the attachments app's part); deleting the
account stops the e-mails of following."""

import json

import pytest
from django.core.files.base import ContentFile

from samskab.accounts.services import account_delete
from samskab.accounts.tests.factories import UserFactory
from samskab.attachments.models import Document, Image
from samskab.budgets.tests.factories import ProjectFactory
from samskab.follows.models import Follow
from samskab.follows.services import follow_add
from samskab.places.models import Place
from samskab.supports.models import Support

pytestmark = pytest.mark.django_db

EXPORT_URL = "/konto/mine-data/"


def test_the_export_holds_the_persons_projects_follows_pictures_and_documents(client):
    user = UserFactory()
    other = UserFactory()
    own = ProjectFactory(author=user, title="Bænke ved søen")
    Place.objects.create(target=own, address="Søbredden", latitude=55.9, longitude=9.6)
    followed = ProjectFactory(title="Legeplads")
    follow_add(target=followed, user=user, language="da")
    follow_add(target=own, user=other)
    Image.objects.create(
        target=own, file=ContentFile(b"jpeg", name="soe.jpg"), alt="Søen", uploaded_by=user
    )
    Image.objects.create(
        target=own, file=ContentFile(b"jpeg", name="x.jpg"), alt="Andres", uploaded_by=other
    )
    Document.objects.create(
        target=own,
        file=ContentFile(b"%PDF-1.4", name="tegning.pdf"),
        title="Tegning",
        size=8,
        uploaded_by=user,
    )
    Support.objects.create(target=followed, user=user)
    client.force_login(user)

    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    data = json.loads(response.content)["apps"]
    budgets = data["budgets"]
    [project] = budgets["projects"]
    assert (project["title"], project["place"], project["latitude"]) == (
        "Bænke ved søen",
        "Søbredden",
        55.9,
    )
    assert [(f["title"], f["language"]) for f in data["follows"]] == [("Legeplads", "da")]
    [picture] = data["attachments"]["pictures"]
    assert picture["description"] == "Søen" and picture["file"].endswith(".jpg")
    assert picture["url"] == own.get_absolute_url()
    [document] = data["attachments"]["documents"]
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
