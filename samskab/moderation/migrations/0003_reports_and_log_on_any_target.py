"""Reports and the moderation log point at any target (content type and object id) instead
of a comment: every existing report and log entry is kept, pointing at its comment."""

import django.db.models.deletion
from django.db import migrations, models


def to_targets(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Report = apps.get_model("moderation", "Report")
    Entry = apps.get_model("moderation", "ModerationLogEntry")
    comment_type, _created = ContentType.objects.get_or_create(
        app_label="comments", model="comment"
    )
    Report.objects.update(content_type_id=comment_type.pk, object_id=models.F("comment_id"))
    Entry.objects.exclude(comment_id=None).update(
        content_type_id=comment_type.pk, object_id=models.F("comment_id")
    )


def to_comments(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Report = apps.get_model("moderation", "Report")
    Entry = apps.get_model("moderation", "ModerationLogEntry")
    Comment = apps.get_model("comments", "Comment")
    comment_type = ContentType.objects.filter(app_label="comments", model="comment").first()
    if comment_type is None:
        return
    existing = Comment.objects.values("pk")
    # Reports of other targets have no place in the old table.
    Report.objects.exclude(content_type_id=comment_type.pk).delete()
    Report.objects.exclude(object_id__in=existing).delete()
    Report.objects.update(comment_id=models.F("object_id"))
    Entry.objects.filter(content_type_id=comment_type.pk, object_id__in=existing).update(
        comment_id=models.F("object_id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_report_threshold_counts_signed_in_accounts"),
        ("comments", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="content_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="object_id",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="moderationlogentry",
            name="content_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="moderationlogentry",
            name="object_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        # The old FK may hold a comment that no longer exists on SQLite: make it nullable
        # first so the reverse can fill it.
        migrations.AlterField(
            model_name="report",
            name="comment",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reports",
                to="comments.comment",
            ),
        ),
        migrations.RunPython(to_targets, to_comments),
        migrations.RemoveConstraint(model_name="report", name="moderation_one_report_each"),
        migrations.RemoveField(model_name="report", name="comment"),
        migrations.RemoveField(model_name="moderationlogentry", name="comment"),
        migrations.AlterField(
            model_name="report",
            name="content_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="object_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                fields=("content_type", "object_id", "reporter_key"),
                name="moderation_one_report_each",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["content_type", "object_id", "resolved_at"],
                name="moderation_report_target_idx",
            ),
        ),
        migrations.AlterField(
            model_name="moderationlogentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("held", "Held automatically"),
                    ("auto_rejected", "Rejected automatically"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("hidden", "Hidden"),
                    ("restored", "Shown again"),
                    ("edited", "Edited"),
                    ("spam", "Marked as spam"),
                    ("banned", "Author banned"),
                    ("unbanned", "Ban lifted"),
                    ("reported", "Sent back to the queue by reports"),
                    ("mode", "Mode changed"),
                ],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.AddIndex(
            model_name="moderationlogentry",
            index=models.Index(
                fields=["content_type", "object_id"], name="moderation_log_target_idx"
            ),
        ),
    ]
