"""Staff pages that start background work say when no worker has been seen for a minute
(review: with `make run` and no worker, uploads and slides waited forever, silently)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, staff_sign_in
from samskab.budgets.tests.factories import BudgetFactory
from samskab.core.models import WorkerHeartbeat
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

NOTICE = "data-worker-notice"


@pytest.fixture
def queued(settings):
    """Tasks wait in the database for `samskab worker`, as with `make run`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _beat(seconds_ago: int) -> None:
    at = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id="w1", host="h", pid=1, started_at=at, beat_at=at)


def _pages():
    meeting = MeetingFactory(status=Meeting.Status.ENDED, starts_at=timezone.now() - timedelta(1))
    item = AgendaItemFactory(meeting=meeting)
    budget = BudgetFactory()
    return [
        reverse("recordings:recording", args=[meeting.pk]),
        reverse("recordings:clip_new", args=[meeting.pk]),
        reverse("webcasts:item_slides", args=[meeting.pk, item.pk]),
        reverse("webcasts:console", args=[meeting.pk]),
        reverse("budgets:staff_count", args=[budget.pk]),
        reverse("staff:home"),
    ]


def test_every_page_that_starts_work_warns_when_no_worker_was_ever_seen(client, queued):
    staff_sign_in(client, StaffFactory(role=Role.ADMINISTRATOR))
    for url in _pages():
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTICE in response.content.decode(), url


def test_a_worker_seen_two_minutes_ago_is_taken_for_gone(client, queued):
    _beat(120)
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    page = client.get(reverse("staff:home")).content.decode()
    assert NOTICE in page and "2\xa0minutes" in page


def test_no_warning_while_a_worker_beats(client, queued):
    _beat(5)
    staff_sign_in(client, StaffFactory(role=Role.ADMINISTRATOR))
    for url in _pages():
        assert NOTICE not in client.get(url).content.decode(), url


def test_no_warning_where_tasks_run_in_the_process(client):
    # The test settings run tasks at once (ImmediateBackend): nothing waits for a worker.
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    assert NOTICE not in client.get(reverse("staff:home")).content.decode()


def test_a_moderator_home_has_no_worker_warning(client, queued):
    # A moderator starts no background work.
    staff_sign_in(client, StaffFactory(role=Role.MODERATOR))
    assert NOTICE not in client.get(reverse("staff:home")).content.decode()
