"""Meeting series: a recurring committee's template, and planning its coming meetings."""

from datetime import date, time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.webcasts.models import Meeting, MeetingSeries
from samskab.webcasts.services import agenda_template_rows, series_dates, series_plan
from samskab.webcasts.tests.factories import BodyFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    body = BodyFactory(name="Teknik- og miljøudvalget")
    series = MeetingSeries.objects.create(
        body=body,
        title="Teknik- og miljøudvalget",
        repeat=MeetingSeries.Repeat.MONTHLY,
        starts_at_time=time(16, 30),
        duration_minutes=150,
        place="Mødelokale 2",
        video_kind=Meeting.VideoKind.HLS,
        agenda_template="1. Godkendelse af dagsorden\n\n2. Meddelelser\nEventuelt",
    )
    series.speakers.set([PersonFactory(name="Søren Ærø"), PersonFactory(name="Hanne Vest")])
    return series


def test_monthly_keeps_the_weekday_and_its_place_in_the_month(series):
    # 2027-01-12 is the 2nd Tuesday of January.
    days = series_dates(series=series, first=date(2027, 1, 12), count=4)
    assert days == [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]
    assert all(day.weekday() == 1 for day in days)
    # A fifth Tuesday becomes the last one of a month that has only four.
    days = series_dates(series=series, first=date(2026, 12, 29), count=2)
    assert days == [date(2026, 12, 29), date(2027, 1, 26)]


def test_weekly_and_fortnightly(series):
    series.repeat = MeetingSeries.Repeat.FORTNIGHTLY
    assert series_dates(series=series, first=date(2027, 1, 4), count=3) == [
        date(2027, 1, 4),
        date(2027, 1, 18),
        date(2027, 2, 1),
    ]
    series.repeat = MeetingSeries.Repeat.WEEKLY
    assert series_dates(series=series, first=date(2027, 12, 27), count=2)[-1] == date(2028, 1, 3)


def test_the_standing_agenda_is_read_with_or_without_numbers():
    assert agenda_template_rows("1. Godkendelse af dagsorden\n\n2. Meddelelser\nEventuelt") == [
        ("1", "Godkendelse af dagsorden"),
        ("2", "Meddelelser"),
        ("3", "Eventuelt"),
    ]


def test_planning_makes_meetings_from_the_template_once(series):
    editor = user_with_role(Role.EDITOR)
    made = series_plan(series=series, first=date(2027, 1, 12), count=3, by=editor)
    assert len(made) == 3
    first = made[0]
    local = timezone.localtime(first.starts_at)
    assert (local.date(), local.time()) == (date(2027, 1, 12), time(16, 30))
    assert (first.ends_at - first.starts_at).total_seconds() == 150 * 60
    assert first.place == "Mødelokale 2" and first.video_kind == Meeting.VideoKind.HLS
    assert first.body == series.body and first.series == series
    assert sorted(p.name for p in first.speakers.all()) == ["Hanne Vest", "Søren Ærø"]
    assert [(i.number, i.title) for i in first.agenda_items.order_by("position")] == [
        ("1", "Godkendelse af dagsorden"),
        ("2", "Meddelelser"),
        ("3", "Eventuelt"),
    ]
    # Planning again over the same days adds only the new one.
    again = series_plan(series=series, first=date(2027, 1, 12), count=4, by=editor)
    assert [timezone.localtime(m.starts_at).date() for m in again] == [date(2027, 4, 13)]
    assert series.meetings.count() == 4


@pytest.mark.parametrize(
    "role,allowed",
    [
        (Role.ADMINISTRATOR, True),
        (Role.EDITOR, True),
        (Role.OPERATOR, False),
        (Role.MODERATOR, False),
        (Role.VALUATOR, False),
        (Role.POLL_OFFICER, False),
        (None, False),
    ],
)
def test_who_may_plan(series, role, allowed):
    assert user_with_role(role).has_perm("webcasts.plan_series", series) is allowed
    assert AnonymousUser().has_perm("webcasts.plan_series", series) is False


def test_an_editor_plans_meetings_in_the_admin(client, series):
    client.force_login(user_with_role(Role.EDITOR))
    changelist = client.get(reverse("admin:webcasts_meetingseries_changelist"))
    url = reverse("admin:webcasts_meetingseries_plan", args=[series.pk])
    assert url in changelist.content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"first": "2027-01-12", "count": "2"})
    assert response.status_code == 302
    assert f"series__id__exact={series.pk}" in response.url
    assert series.meetings.count() == 2


def test_an_operator_cannot_plan(client, series):
    client.force_login(user_with_role(Role.OPERATOR))
    url = reverse("admin:webcasts_meetingseries_plan", args=[series.pk])
    assert client.post(url, {"first": "2027-01-12", "count": "2"}).status_code == 403
    assert not series.meetings.exists()
