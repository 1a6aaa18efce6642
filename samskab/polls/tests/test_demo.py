import pytest

from samskab.core.demo import demo_load
from samskab.feedback.models import FeedbackRecipient
from samskab.polls.demo import PAST_VOXPOP, SURVEY_SLUG, UPCOMING_VOXPOP
from samskab.polls.models import Poll, Vote
from samskab.polls.selectors import poll_counters, poll_recount
from samskab.polls.timeline import with_offsets
from samskab.surveys.models import Survey
from samskab.webcasts.demo import UPCOMING_ID

pytestmark = pytest.mark.django_db


def test_the_demo_has_recipients_a_prepared_vox_pop_a_past_result_and_a_survey():
    demo_load()
    demo_load()  # twice: nothing twice
    assert FeedbackRecipient.objects.filter(email__endswith="@demo.samskab.dk").count() >= 5
    prepared = Poll.objects.get(title=UPCOMING_VOXPOP)
    assert prepared.status == Poll.Status.DRAFT
    assert prepared.meeting.external_id == UPCOMING_ID
    assert prepared.questions.get().options.count() == 3
    past = Poll.objects.get(title=PAST_VOXPOP)
    past = with_offsets(Poll.objects.filter(pk=past.pk)).get()
    assert past.status == Poll.Status.CLOSED and past.opened_offset_ms == 95_000
    assert poll_counters(past) == poll_recount(past)
    assert Vote.objects.filter(poll=past).count() == 50
    survey = Survey.objects.get(slug=SURVEY_SLUG)
    assert survey.status == Survey.Status.OPEN and survey.meeting == prepared.meeting
    assert {q.kind for q in survey.questions.all()} >= {
        "single",
        "multiple",
        "text",
        "number",
        "scale5",
        "scale10",
        "ranking",
        "matrix",
    }
