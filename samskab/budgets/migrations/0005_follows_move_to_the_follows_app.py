"""Budgets' own project follows move to the generic follows app, every one of them kept
(with its language and date), and the old table goes."""

from django.db import migrations


def to_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ProjectFollow = apps.get_model("budgets", "ProjectFollow")
    Follow = apps.get_model("follows", "Follow")
    project_type, _created = ContentType.objects.get_or_create(app_label="budgets", model="project")
    Follow.objects.bulk_create(
        (
            Follow(
                content_type_id=project_type.pk,
                object_id=old.project_id,
                user_id=old.user_id,
                language=old.language,
                created_at=old.created_at,
            )
            for old in ProjectFollow.objects.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def to_project_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ProjectFollow = apps.get_model("budgets", "ProjectFollow")
    Project = apps.get_model("budgets", "Project")
    Follow = apps.get_model("follows", "Follow")
    project_type = ContentType.objects.filter(app_label="budgets", model="project").first()
    if project_type is None:
        return
    rows = Follow.objects.filter(content_type_id=project_type.pk)
    existing = set(Project.objects.values_list("pk", flat=True))
    ProjectFollow.objects.bulk_create(
        ProjectFollow(
            project_id=f.object_id, user_id=f.user_id, language=f.language, created_at=f.created_at
        )
        for f in rows
        if f.object_id in existing
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0004_project_event_status_kind"),
        ("follows", "0001_follows"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(to_follows, to_project_follows),
        migrations.DeleteModel(name="ProjectFollow"),
    ]
