"""The roll-up into minute and day totals, the retention, and no personal data (issue 25)."""

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from samskab.stats import ingest
from samskab.stats.models import DayStat, Dropped, Event, Metric, MinuteStat, RollupState
from samskab.stats.rollup import rollup
from samskab.stats.tests.helpers import archived_meeting, beacon

pytestmark = pytest.mark.django_db


def value(meeting, metric, key=""):
    return sum(
        DayStat.objects.filter(meeting_id=meeting.pk, metric=metric, key=str(key)).values_list(
            "value", flat=True
        )
    )


def watch(meeting, viewers=6, first=0):
    """`viewers` page loads watching: 3 heartbeats in item 1, 2 in item 2, one share."""
    for n in range(first, first + viewers):
        ticket = ingest.ticket_issue(meeting.pk)
        key = f"viewer-{n}"
        ua = "Mozilla/5.0 (Android 14; Mobile)" if n % 2 else "Mozilla/5.0 (X11; Linux)"
        seq = iter(range(1, 100))

        def accept(data, key=key, ua=ua):
            return ingest.accept(data, viewer_key=key, user_agent=ua)

        assert accept(beacon(ticket, "play", next(seq), p=0)) is None
        for position in (15, 30, 45):
            assert accept(beacon(ticket, "hb", next(seq), p=position, w=15, l=False)) is None
        accept(beacon(ticket, "jump", next(seq), p=45, d=meeting.second_item.pk))
        for position in (1815, 1830):
            accept(beacon(ticket, "hb", next(seq), p=position, w=15, l=False))
        accept(beacon(ticket, "share", next(seq), p=1830, d="facebook"))
    accept(beacon(ingest.ticket_issue(meeting.pk), "embed", 1, d="https://avis.example"))


def test_rollup_counts_plays_viewers_watch_time_per_item_and_speaker():
    meeting = archived_meeting()
    watch(meeting)
    result = rollup()
    assert result["rows"] > 0
    assert value(meeting, Metric.PLAYS) == 6
    assert value(meeting, Metric.VIEWERS) == 6
    assert value(meeting, Metric.WATCH_S) == 6 * 5 * 15
    assert value(meeting, Metric.WATCH_ARCHIVE_S) == 6 * 5 * 15
    assert value(meeting, Metric.WATCH_ITEM_S, meeting.first_item.pk) == 6 * 3 * 15
    assert value(meeting, Metric.WATCH_ITEM_S, meeting.second_item.pk) == 6 * 2 * 15
    # The speaker spoke from 10 s on, to the next item.
    assert value(meeting, Metric.WATCH_SPEAKER_S, meeting.person.pk) == 6 * 3 * 15
    assert value(meeting, Metric.SHARES, "facebook") == 6
    assert value(meeting, Metric.JUMPS, meeting.second_item.pk) == 6
    assert value(meeting, Metric.EMBEDS, "avis.example") == 1
    assert value(meeting, Metric.DEVICES, "mobile") == 3
    assert value(meeting, Metric.DEVICES, "desktop") == 3
    assert value(meeting, Metric.PEAK) == 6
    assert MinuteStat.objects.filter(meeting_id=meeting.pk).exists()
    assert DayStat.objects.filter(meeting_id=meeting.pk).first().body_id == meeting.body_id


def test_rollup_twice_counts_once_and_adds_what_is_new():
    meeting = archived_meeting()
    watch(meeting)
    rollup()
    rollup()
    assert value(meeting, Metric.PLAYS) == 6
    watch(meeting, viewers=2, first=6)
    rollup()
    assert value(meeting, Metric.PLAYS) == 8
    assert value(meeting, Metric.VIEWERS) == 8
    assert RollupState.objects.get().last_event_id == Event.objects.latest("id").id


def test_events_past_the_retention_are_deleted_and_the_totals_stay():
    meeting = archived_meeting()
    watch(meeting)
    rollup()
    later = timezone.now() + timedelta(days=31)
    rollup(now=later)
    assert Event.objects.count() == 0
    assert value(meeting, Metric.PLAYS) == 6


def test_participation_the_server_sees_is_counted_per_meeting(django_capture_on_commit_callbacks):
    from samskab.feedback.models import FeedbackMessage
    from samskab.polls.models import Option, Poll, Question, Vote

    meeting = archived_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        FeedbackMessage.objects.create(meeting=meeting, message="Tak for et godt møde")
        poll = Poll.objects.create(meeting=meeting, title="Cykelsti?")
        question = Question.objects.create(poll=poll, text="Cykelsti?")
        option = Option.objects.create(question=question, text="Ja")
        Vote.objects.create(poll=poll, question=question, option=option, voter_key="k1")
    rollup()
    assert value(meeting, Metric.FEEDBACK) == 1
    assert value(meeting, Metric.VOTES) == 1
    assert not Event.objects.filter(kind="vote").exclude(viewer="").exists()


def test_no_personal_data_in_the_statistics_tables():
    """No column of the statistics names a person: no account, address, browser, token or
    key; and the day pseudonyms match no viewer key stored anywhere else."""
    from django.apps import apps

    from samskab.core.viewer import viewer_key

    meeting = archived_meeting()
    watch(meeting)
    rollup(now=timezone.now())
    user_model = apps.get_model("accounts", "User")
    banned = ("user", "author", "ip", "address", "email", "agent", "token", "key", "cookie")
    for model in apps.get_app_config("stats").get_models():
        if model._meta.model_name == "statssettings":
            continue  # the staff who receive the report: staff settings, not statistics
        for field in model._meta.concrete_fields:
            assert not (field.is_relation and field.related_model is user_model), field
            assert not isinstance(field, models.EmailField | models.GenericIPAddressField)
            assert not any(word in field.name for word in banned if word != "key") or (
                field.name == "key" and model._meta.model_name == "daystat"
            ), field
    stored = set(Event.objects.values_list("viewer", flat=True))
    for n in range(6):
        assert viewer_key(f"viewer-{n}") not in stored
        assert f"viewer-{n}" not in stored
    # The aggregates hold counts and keys of items, people of the meeting, networks, sites.
    keys = set(DayStat.objects.values_list("key", flat=True))
    assert not keys & stored
    assert Dropped.objects.count() == 0
