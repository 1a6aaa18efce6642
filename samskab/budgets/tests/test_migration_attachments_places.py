"""Budgets' project pictures, documents and places move to the attachments and places
apps: every file (same name on disk), alt text, title, size, uploader, date and location kept,
and back for a rollback."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("budgets", "0006_count_preview_paper_corrections_amount_bounds"),
    ("attachments", "0001_attachments"),
    ("places", "0001_places"),
]
AFTER = [("budgets", "0007_attachments_and_places_move")]

# A round trip over many migrations takes a minute; CI runs it on PostgreSQL, the
# production database (conftest.py, "one pass of CI").
pytestmark = pytest.mark.one_pass(on="postgres")


@pytest.mark.django_db(transaction=True)
def test_every_picture_document_and_place_is_kept_and_comes_back_on_rollback():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    User = old.get_model("accounts", "User")
    Budget = old.get_model("budgets", "Budget")
    Group = old.get_model("budgets", "Group")
    Heading = old.get_model("budgets", "Heading")
    Project = old.get_model("budgets", "Project")
    ProjectImage = old.get_model("budgets", "ProjectImage")
    ProjectDocument = old.get_model("budgets", "ProjectDocument")
    heading = Heading.objects.create(
        group=Group.objects.create(budget=Budget.objects.create(title="B"), name="G"),
        name="H",
        amount=1,
    )
    user = User.objects.create(email="a@example.org")
    placed = Project.objects.create(
        heading=heading, title="P1", latitude=55.95, longitude=9.61, location_description="Torvet"
    )
    words = Project.objects.create(heading=heading, title="P2", location_description="Søen")
    nowhere = Project.objects.create(heading=heading, title="P3")
    for number, project in enumerate((placed, words)):
        ProjectImage.objects.create(
            project=project,
            image=f"budgets/2026/12/{number}.jpg",
            alt=f"Billede {number}",
            uploaded_by=user,
        )
    ProjectDocument.objects.create(
        project=placed, file="budgets/documents/2026/12/t.pdf", title="Tegning", size=1234
    )
    images = {
        (i.project_id, i.image.name, i.alt, i.uploaded_by_id, i.created_at)
        for i in ProjectImage.objects.all()
    }
    documents = {
        (d.project_id, d.file.name, d.title, d.size, d.created_at)
        for d in ProjectDocument.objects.all()
    }

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    ContentType = new.get_model("contenttypes", "ContentType")
    kind = ContentType.objects.get(app_label="budgets", model="project")
    Image = new.get_model("attachments", "Image")
    Document = new.get_model("attachments", "Document")
    Place = new.get_model("places", "Place")
    assert {
        (i.object_id, i.file.name, i.alt, i.uploaded_by_id, i.created_at)
        for i in Image.objects.filter(content_type=kind)
    } == images
    assert {
        (d.object_id, d.file.name, d.title, d.size, d.created_at)
        for d in Document.objects.filter(content_type=kind)
    } == documents
    assert {
        (p.object_id, p.latitude, p.longitude, p.address)
        for p in Place.objects.filter(content_type=kind)
    } == {(placed.pk, 55.95, 9.61, "Torvet"), (words.pk, None, None, "Søen")}
    assert nowhere.pk not in set(Place.objects.values_list("object_id", flat=True))

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    assert old.get_model("budgets", "ProjectImage").objects.count() == 2
    assert old.get_model("budgets", "ProjectDocument").objects.get().title == "Tegning"
    back = old.get_model("budgets", "Project").objects.get(pk=placed.pk)
    assert (back.latitude, back.longitude, back.location_description) == (55.95, 9.61, "Torvet")
    assert not old.get_model("attachments", "Image").objects.exists()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
