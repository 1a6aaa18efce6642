"""Budgets' project pictures, documents and places move to the generic attachments and
places apps. Every file is kept where it is on disk (the new rows point at the same names),
with its description or title, size, uploader and date; every project's point and
description of its place is kept. Then the old tables and columns go."""

from django.db import migrations


def _project_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    found, _created = ContentType.objects.get_or_create(app_label="budgets", model="project")
    return found


def forwards(apps, schema_editor):
    project_type = _project_type(apps)
    Project = apps.get_model("budgets", "Project")
    ProjectImage = apps.get_model("budgets", "ProjectImage")
    ProjectDocument = apps.get_model("budgets", "ProjectDocument")
    Image = apps.get_model("attachments", "Image")
    Document = apps.get_model("attachments", "Document")
    Place = apps.get_model("places", "Place")
    Image.objects.bulk_create(
        (
            Image(
                content_type_id=project_type.pk,
                object_id=old.project_id,
                file=old.image.name,
                alt=old.alt or "-",
                uploaded_by_id=old.uploaded_by_id,
                created_at=old.created_at,
            )
            for old in ProjectImage.objects.order_by("pk").iterator()
        ),
        batch_size=1000,
    )
    Document.objects.bulk_create(
        (
            Document(
                content_type_id=project_type.pk,
                object_id=old.project_id,
                file=old.file.name,
                title=old.title,
                size=old.size,
                uploaded_by_id=old.uploaded_by_id,
                created_at=old.created_at,
            )
            for old in ProjectDocument.objects.order_by("pk").iterator()
        ),
        batch_size=1000,
    )
    located = Project.objects.exclude(latitude=None, location_description="")
    Place.objects.bulk_create(
        (
            Place(
                content_type_id=project_type.pk,
                object_id=project.pk,
                # A half point (one coordinate) cannot be drawn; keep the words only.
                latitude=project.latitude if project.longitude is not None else None,
                longitude=project.longitude if project.latitude is not None else None,
                address=project.location_description,
                updated_at=project.created_at,
            )
            for project in located.iterator()
            if project.latitude is not None
            or project.longitude is not None
            or project.location_description
        ),
        batch_size=1000,
    )


def backwards(apps, schema_editor):
    project_type = _project_type(apps)
    Project = apps.get_model("budgets", "Project")
    ProjectImage = apps.get_model("budgets", "ProjectImage")
    ProjectDocument = apps.get_model("budgets", "ProjectDocument")
    Image = apps.get_model("attachments", "Image")
    Document = apps.get_model("attachments", "Document")
    Place = apps.get_model("places", "Place")
    existing = set(Project.objects.values_list("pk", flat=True))
    images = Image.objects.filter(content_type_id=project_type.pk)
    ProjectImage.objects.bulk_create(
        ProjectImage(
            project_id=i.object_id,
            image=i.file.name,
            alt=i.alt,
            uploaded_by_id=i.uploaded_by_id,
            created_at=i.created_at,
        )
        for i in images
        if i.object_id in existing
    )
    documents = Document.objects.filter(content_type_id=project_type.pk)
    ProjectDocument.objects.bulk_create(
        ProjectDocument(
            project_id=d.object_id,
            file=d.file.name,
            title=d.title,
            size=d.size,
            uploaded_by_id=d.uploaded_by_id,
            created_at=d.created_at,
        )
        for d in documents
        if d.object_id in existing
    )
    places = Place.objects.filter(content_type_id=project_type.pk)
    for place in places:
        Project.objects.filter(pk=place.object_id).update(
            latitude=place.latitude,
            longitude=place.longitude,
            location_description=place.address,
        )
    images.delete()
    documents.delete()
    places.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0006_count_preview_paper_corrections_amount_bounds"),
        ("attachments", "0001_attachments"),
        ("places", "0001_places"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="ProjectImage"),
        migrations.DeleteModel(name="ProjectDocument"),
        migrations.RemoveField(model_name="project", name="latitude"),
        migrations.RemoveField(model_name="project", name="longitude"),
        migrations.RemoveField(model_name="project", name="location_description"),
    ]
