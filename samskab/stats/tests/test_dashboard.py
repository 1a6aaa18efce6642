"""The staff dashboards: who sees them, what they show, suppression, periods, CSV."""

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory, staff_sign_in
from samskab.stats.models import Metric
from samskab.stats.rollup import rollup
from samskab.stats.tests.helpers import archived_meeting
from samskab.stats.tests.test_rollup import watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    staff_sign_in(client, StaffFactory(role=Role.EDITOR))
    return client


def test_only_editors_and_administrators_see_statistics(client):
    meeting = archived_meeting()
    url = reverse("stats:meeting", args=[meeting.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    staff_sign_in(client, StaffFactory(role=Role.OPERATOR))
    assert client.get(url).status_code == 403


def test_the_staff_home_links_to_the_statistics(editor_client):
    page = editor_client.get("/personale/").content.decode()
    assert reverse("stats:site") in page


def test_the_meeting_dashboard_shows_watch_time_per_item_shares_and_embeds(editor_client):
    meeting = archived_meeting()
    watch(meeting)
    rollup()
    page = editor_client.get(reverse("stats:meeting", args=[meeting.pk])).content.decode()
    assert 'data-breakdown="watch_item_s"' in page
    assert "Budget" in page and "Skoler" in page  # the agenda items by title
    assert "Anna Jensen" in page
    assert "Facebook" in page
    assert "data-stats-chart" in page and "chart.umd.min.js" in page
    # The embedding site was counted once: hidden as a small count.
    embeds = page.split('data-breakdown="embeds"')[1].split("</section>")[0]
    assert "avis.example" in embeds and "–" in embeds


def test_clip_views_are_counted_per_meeting_and_per_clip(editor_client):
    from samskab.recordings.models import Clip
    from samskab.stats import ingest
    from samskab.stats.tests.helpers import beacon
    from samskab.stats.tests.test_rollup import value

    meeting = archived_meeting()
    budget = Clip.objects.create(meeting=meeting, title="Budgettet", start_ms=0, end_ms=30_000)
    school = Clip.objects.create(meeting=meeting, title="Skolen", start_ms=30_000, end_ms=60_000)
    for n in range(11):
        clip = budget if n < 6 else school
        data = beacon(ingest.ticket_issue(meeting.pk), "clip", 1, d=clip.pk, l=False)
        assert ingest.accept(data, viewer_key=f"viewer-{n}", user_agent="Mozilla/5.0") is None
    rollup()
    assert value(meeting, Metric.CLIPS) == 11
    assert value(meeting, Metric.CLIPS, budget.pk) == 6
    assert value(meeting, Metric.CLIPS, school.pk) == 5

    page = editor_client.get(reverse("stats:meeting", args=[meeting.pk])).content.decode()
    clips = page.split('data-breakdown="clips"')[1].split("</section>")[0]
    budget_row = clips.split("Budgettet")[1].split("</tr>")[0]
    school_row = clips.split("Skolen")[1].split("</tr>")[0]
    assert ">6<" in budget_row and ">5<" in school_row


def test_small_counts_are_suppressed(editor_client):
    meeting = archived_meeting()
    watch(meeting, viewers=3)
    rollup()
    page = editor_client.get(reverse("stats:meeting", args=[meeting.pk])).content.decode()
    assert 'data-metric="viewers"' in page
    viewers_row = page.split('data-metric="viewers"')[1].split("</tr>")[0]
    assert 'data-value=""' in viewers_row
    # Watch time per item would show what fewer than 5 viewers did: hidden.
    item_part = page.split('data-breakdown="watch_item_s"')[1].split("</section>")[0]
    assert "fewer than 5 viewers" in item_part


def test_the_period_and_the_previous_one(editor_client):
    meeting = archived_meeting()
    watch(meeting)
    rollup()
    url = reverse("stats:site")
    page = editor_client.get(url + "?fra=2020-01-01&til=2020-01-31").content.decode()
    assert "compared with 2. December 2019 to 31. December 2019" in page or "2019" in page
    row = page.split(f'data-metric="{Metric.PLAYS}"')[1].split("</tr>")[0]
    assert 'data-value="0"' in row
    # Malformed dates fall back to the last 30 days.
    assert editor_client.get(url + "?fra=nonsense&til=2020-13-40").status_code == 200


def test_csv(editor_client):
    meeting = archived_meeting()
    watch(meeting)
    rollup()
    for url in (
        reverse("stats:site"),
        reverse("stats:body", args=[meeting.body_id]),
        reverse("stats:meeting", args=[meeting.pk]),
    ):
        response = editor_client.get(url + "?format=csv")
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        assert "Plays" in text
    assert "Skoler" in text


def test_the_budget_dashboard(editor_client):
    from samskab.budgets.tests.factories import BudgetFactory

    budget = BudgetFactory()
    editor_client.get(reverse("budgets:budget", args=[budget.pk]))
    rollup()
    page = editor_client.get(reverse("stats:budget", args=[budget.pk])).content.decode()
    assert 'data-metric="visits"' in page
