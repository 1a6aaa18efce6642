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
    ]
