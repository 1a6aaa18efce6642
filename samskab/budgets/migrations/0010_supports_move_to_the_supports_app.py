"""Budgets' own project supports move to the generic supports app, every one of them kept
(with its person and date), each project's counter set from them, and the old table goes."""

from django.db import migrations
from django.db.models import Count


def to_supports(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Old = apps.get_model("budgets", "Support")
    Support = apps.get_model("supports", "Support")
    SupportCount = apps.get_model("supports", "SupportCount")
    project_type, _created = ContentType.objects.get_or_create(app_label="budgets", model="project")
    Support.objects.bulk_create(
        (
            Support(
                content_type_id=project_type.pk,
                object_id=old.project_id,
                user_id=old.user_id,
                created_at=old.created_at,
            )
            for old in Old.objects.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    counts = (
        Support.objects.filter(content_type_id=project_type.pk)
        .values("object_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    SupportCount.objects.bulk_create(
        (
            SupportCount(content_type_id=project_type.pk, object_id=row["object_id"], count=row["n"])
            for row in counts
        ),
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["content_type", "object_id"],
        update_fields=["count"],
    )


def to_budget_supports(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Old = apps.get_model("budgets", "Support")
    Project = apps.get_model("budgets", "Project")
    Support = apps.get_model("supports", "Support")
    SupportCount = apps.get_model("supports", "SupportCount")
    project_type = ContentType.objects.filter(app_label="budgets", model="project").first()
    if project_type is None:
        return
    rows = Support.objects.filter(content_type_id=project_type.pk)
    existing = set(Project.objects.values_list("pk", flat=True))
    Old.objects.bulk_create(
        Old(project_id=s.object_id, user_id=s.user_id, created_at=s.created_at)
        for s in rows
        if s.object_id in existing
    )
    rows.delete()
    SupportCount.objects.filter(content_type_id=project_type.pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0009_project_history_moves_to_activity"),
        ("supports", "0001_supports"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(to_supports, to_budget_supports),
        migrations.DeleteModel(name="Support"),
    ]
