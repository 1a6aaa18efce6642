"""A person's comments in their export, and after their account is deleted."""

import pytest

from samskab.comments import privacy
from samskab.comments.tests.factories import CommentFactory, MeetingFactory
from samskab.core import privacy as registry


@pytest.mark.django_db
def test_the_export_holds_the_persons_comments():
    comment = CommentFactory(body="Min mening")
    assert [row["body"] for row in privacy.export(comment.author)] == ["Min mening"]


@pytest.mark.django_db
def test_anonymising_keeps_the_words_but_drops_the_viewer_key():
    comment = CommentFactory(viewer_key="k" * 64)
    privacy.anonymise(comment.author)
    comment.refresh_from_db()
    assert comment.viewer_key == ""
    assert comment.body


@pytest.mark.django_db
def test_the_export_names_the_page_and_its_address_not_only_an_internal_label():
    comment = CommentFactory(target=MeetingFactory(title="Byrådsmøde marts"))
    [row] = privacy.export(comment.author)
    assert "Byrådsmøde marts" in row["page"]
    assert row["url"].endswith(f"{comment.target.get_absolute_url()}#{comment.anchor}")
    assert row["url"].startswith("http")
    assert row["place"] == f"webcasts.meeting:{comment.target.pk}"


def test_the_comments_app_is_registered_for_export_and_deletion():
    assert "comments" in {handler.name for handler in registry.handlers()}
