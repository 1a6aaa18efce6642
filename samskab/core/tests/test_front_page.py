from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samskab.budgets.models import BudgetPhase, Phase
from samskab.budgets.tests.factories import BudgetFactory
from samskab.core.models import SiteSettings
from samskab.polls.tests.factories import make_poll
from samskab.surveys.models import Survey
from samskab.surveys.tests.factories import make_survey
from samskab.webcasts.models import Meeting
from samskab.webcasts.services import meeting_end, meeting_go_live
from samskab.webcasts.tests.factories import MeetingFactory, live_meeting, user_with_role

pytestmark = pytest.mark.django_db


def _home(client):
    return client.get("/").content.decode()


def test_a_live_meeting_leads_the_front_page_with_its_viewer_count(client):
    meeting = live_meeting(title="Byrådsmøde i dag")
    with mock.patch("samskab.live.viewer_count", return_value=12):
        page = _home(client)
    assert "Live now" in page and "Byrådsmøde i dag" in page and "12 watching" in page
    assert meeting.get_absolute_url() in page
    # Under the site's name, above the introduction and the account buttons (on a phone
    # those would push the meeting below the fold).
    assert page.index("Live now") < page.index("You can watch and read without an account")


def test_without_a_live_meeting_there_is_no_live_section(client):
    MeetingFactory(title="Næste møde")
    page = _home(client)
    assert "Live now" not in page
    assert "Next meetings" in page and "Næste møde" in page


def test_open_votes_surveys_and_budget_phases_show_with_their_closing_date(client):
    make_poll(title="Skal vi bygge cykelstien?")
    make_survey()
    make_survey(status=Survey.Status.DRAFT, slug="kladde")
    budget = BudgetFactory(title="Borgerbudget 2027", phase=Phase.BALLOTING)
    BudgetPhase.objects.create(budget=budget, phase=Phase.BALLOTING, ends_on=date(2027, 3, 31))
    page = _home(client)
    assert "Skal vi bygge cykelstien?" in page
    assert page.count("Traffic in the town centre") == 1  # the open one, not the draft
    assert "Borgerbudget 2027" in page and "until March 31, 2027" in page


def test_recent_recordings_are_listed(client):
    MeetingFactory(title="Sidste uges møde", status=Meeting.Status.ENDED)
    page = _home(client)
    assert "Recent recordings" in page and "Sidste uges møde" in page


def test_nothing_promises_capabilities_that_do_not_exist(client):
    page = _home(client).lower()
    for word in ("drafts",):
        assert word not in page
    # Debates and proposals exist: the menu links them, and the front page lists none while
    # there are none.
    assert 'href="/debatter/"' in page and "front-debates-heading" not in page
    assert 'href="/forslag/"' in page and "front-proposals-heading" not in page


def test_debates_are_on_the_front_page(client):
    from samskab.debates.tests.factories import DebateFactory

    DebateFactory(title="Skal Torvegade være gågade?")
    page = _home(client)
    assert "front-debates-heading" in page and "Skal Torvegade være gågade?" in page


def test_the_site_settings_choose_the_order_and_the_introduction(client):
    MeetingFactory(title="Næste møde")
    budget = BudgetFactory()
    BudgetPhase.objects.create(budget=budget, phase=budget.phase)
    site = SiteSettings.current()
    site.front_page_sections = "budgets, upcoming"
    site.front_page_intro = "Velkommen til **Gudenå**."
    site.save()
    page = _home(client)
    assert page.index("front-budgets-heading") < page.index("front-upcoming-heading")
    assert "<strong>Gudenå</strong>" in page


def test_the_site_settings_refuse_an_unknown_section():
    site = SiteSettings.current()
    site.front_page_sections = "live, legislation"
    with pytest.raises(ValidationError, match="legislation"):
        site.clean()


def test_the_front_page_follows_site_front_while_a_meeting_may_go_live(client):
    assert 'data-live-channel="site:front"' not in _home(client)  # nothing can change
    MeetingFactory(title="Næste møde")
    page = _home(client)
    assert 'data-live-channel="site:front"' in page and "front.js" in page
    live_meeting(title="Nu direkte")
    partial = client.get(reverse("front_section", args=["live"]))
    assert partial.status_code == 200 and "Nu direkte" in partial.content.decode()
    assert client.get(reverse("front_section", args=["budgets"])).status_code == 404
    assert client.get(reverse("front_section", args=["recordings"])).status_code == 404


def test_going_live_and_ending_tell_the_front_page():
    meeting = MeetingFactory(starts_at="2020-01-01T10:00Z")
    operator = user_with_role(None, is_superuser=True)
    with mock.patch("samskab.webcasts.services.live.publish_on_commit") as publish:
        meeting_go_live(meeting=meeting, by=operator)
        meeting_end(meeting=meeting, by=operator)
    fronts = [call for call in publish.call_args_list if call.args[0] == "site:front"]
    assert len(fronts) == 2
    assert "live" in fronts[0].args[2]["sections"]
