"""Budgets' own project history (ProjectEvent) moves to the generic activity app: every
entry kept, with its kind, the project's status then, the note, who and when, in the same
order; and the old table goes."""

from django.db import migrations


def to_activity(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ProjectEvent = apps.get_model("budgets", "ProjectEvent")
    Event = apps.get_model("activity", "Event")
    project_type, _created = ContentType.objects.get_or_create(app_label="budgets", model="project")
    Event.objects.bulk_create(
        (
            Event(
                content_type_id=project_type.pk,
                object_id=old.project_id,
                kind=old.kind,
                status=old.status,
                note=old.note,
                actor_id=old.actor_id,
                created_at=old.created_at,
            )
            for old in ProjectEvent.objects.order_by("created_at", "pk").iterator()
        ),
        batch_size=1000,
    )


def to_project_events(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ProjectEvent = apps.get_model("budgets", "ProjectEvent")
    Project = apps.get_model("budgets", "Project")
    Event = apps.get_model("activity", "Event")
    project_type = ContentType.objects.filter(app_label="budgets", model="project").first()
    if project_type is None:
        return
    rows = Event.objects.filter(content_type_id=project_type.pk).order_by("created_at", "pk")
    existing = set(Project.objects.values_list("pk", flat=True))
    for e in rows:
        if e.object_id not in existing:
            continue
        old = ProjectEvent.objects.create(
            project_id=e.object_id, kind=e.kind, status=e.status, note=e.note, actor_id=e.actor_id
        )
        # created_at is auto_now_add on the old model: set it afterwards.
        ProjectEvent.objects.filter(pk=old.pk).update(created_at=e.created_at)
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0008_admin_labels_translated"),
        ("activity", "0002_event_status"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(to_activity, to_project_events),
        migrations.DeleteModel(name="ProjectEvent"),
    ]
