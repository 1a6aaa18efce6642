"""A post's text: a council's own text for the kind and language, else the one for all
councils, else the built-in one; one of each, in SQLite as in PostgreSQL."""

import pytest
from django.db import IntegrityError, transaction

from samskab.social.admin import PostTemplateForm
from samskab.social.models import Kind, PostTemplate
from samskab.social.texts import template_text
from samskab.webcasts.tests.factories import BodyFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_a_council_s_own_text_comes_before_the_one_for_all_and_the_built_in_one():
    meeting = MeetingFactory()
    other = MeetingFactory(body=BodyFactory())
    assert template_text(meeting=meeting, kind=Kind.LIVE, language="da").startswith("Live nu")
    PostTemplate.objects.create(kind=Kind.LIVE, language="da", text="Alle: {title}")
    PostTemplate.objects.create(
        body=meeting.body, kind=Kind.LIVE, language="da", text="Eget: {title}"
    )
    assert template_text(meeting=meeting, kind=Kind.LIVE, language="da") == "Eget: {title}"
    assert template_text(meeting=other, kind=Kind.LIVE, language="da") == "Alle: {title}"
    assert template_text(meeting=other, kind=Kind.LIVE, language="en").startswith("Live now")


@pytest.mark.parametrize(
    ("for_a_council", "message"),
    [(True, "This council already has"), (False, "for all councils")],
    ids=["a council's", "for all"],
)
def test_a_second_text_for_the_same_kind_and_language_is_refused(for_a_council, message):
    body = BodyFactory() if for_a_council else None
    PostTemplate.objects.create(body=body, kind=Kind.SOON, language="da", text="{title}")
    form = PostTemplateForm(
        data={
            "body": body.pk if body else "",
            "kind": Kind.SOON,
            "language": "da",
            "text": "Igen: {title}",
        }
    )
    assert not form.is_valid()
    assert message in str(form.errors["__all__"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PostTemplate.objects.create(body=body, kind=Kind.SOON, language="da", text="Igen")
    # Another language, or another council's, is a text of its own.
    PostTemplate.objects.create(body=body, kind=Kind.SOON, language="en", text="{title}")
    PostTemplate.objects.create(body=BodyFactory(), kind=Kind.SOON, language="da", text="x")
