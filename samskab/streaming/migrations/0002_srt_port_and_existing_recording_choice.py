from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("streaming", "0001_stream_keys_and_destinations")]

    operations = [
        migrations.AddField(
            model_name="meetingstream",
            name="srt_port",
            field=models.PositiveIntegerField(
                blank=True, null=True, unique=True, verbose_name="SRT port"
            ),
        ),
        migrations.AddField(
            model_name="meetingstream",
            name="recording_choice",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Refuse a new feed"),
                    ("continue", "Continue the recording"),
                    ("replace", "Replace the recording"),
                ],
                default="",
                max_length=8,
                verbose_name="when the meeting already has a recording",
            ),
        ),
        migrations.AddField(
            model_name="meetingstream",
            name="refused_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="feed refused (existing recording)"
            ),
        ),
    ]
