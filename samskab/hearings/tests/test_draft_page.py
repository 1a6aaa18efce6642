"""The draft page at scale: each paragraph's count and latest comments (the rest on the
paragraph's own paged page), a cached text that a moderated comment leaves at once, and a
number of queries that does not grow with the comments."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import StaffFactory, UserFactory
from samskab.comments.models import Comment
from samskab.hearings import anchoring, selectors, services
from samskab.hearings.models import Passage
from samskab.hearings.tests.factories import DRAFT, ProcessFactory, in_phase
from samskab.moderation.services import target_hide

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    process = in_phase(ProcessFactory(), "draft")
    return services.version_publish(
        process=process, user=StaffFactory(role=Role.EDITOR), markdown=DRAFT
    )


def _passage(version, anchor: str, start: int, end: int) -> Passage:
    text = version.paragraphs.get(anchor=anchor).text
    prefix, suffix = anchoring.context_of(text, start, end)
    return Passage.objects.create(
        process=version.process, version=version, anchor=anchor, start=start, end=end,
        quote=text[start:end], prefix=prefix, suffix=suffix, current_version=version,
        current_anchor=anchor, current_start=start, current_end=end,
    )  # fmt: skip


def _comments(passage: Passage, n: int, *, first: int = 0) -> list[Comment]:
    """n published comments, one a minute, "Kommentar <first>" the oldest (each save
    recounts its passage, as posting and moderating do)."""
    author = UserFactory(display_name="Borger")
    start = timezone.now() - timedelta(days=1)
    return [
        Comment.objects.create(
            target=passage, author=author, body=f"Kommentar {i}",
            body_html=f"<p>Kommentar {i}</p>", status=Comment.Status.PUBLISHED,
            created_at=start + timedelta(minutes=i), published_at=start + timedelta(minutes=i),
        )
        for i in range(first, first + n)
    ]  # fmt: skip


def _draft(client, version, **params):
    return client.get(reverse("hearings:draft", args=[version.process_id]), params)


def test_a_paragraph_shows_its_count_its_latest_comments_and_a_link_to_all(client, version):
    passage = _passage(version, "p1-stk1", 0, 8)
    _comments(passage, 5)
    page = _draft(client, version).text
    assert "5 comments on this paragraph" in page
    for i in (4, 3, 2):
        assert f"Kommentar {i}" in page
    assert "Kommentar 1" not in page and "Kommentar 0" not in page
    assert page.index("Kommentar 4") < page.index("Kommentar 2")  # newest first
    all_url = reverse("hearings:paragraph_comments", args=[version.process_id, "p1-stk1"])
    assert f'href="{all_url}?v=1">All 5 comments on this paragraph' in page


def test_with_no_more_comments_than_shown_there_is_no_link_to_all(client, version):
    _comments(_passage(version, "p1-stk1", 0, 8), 2)
    page = _draft(client, version).text
    assert "2 comments on this paragraph" in page and "All 2 comments" not in page


def test_every_passage_is_marked_and_the_most_commented_have_a_count_link(client, version):
    text = version.paragraphs.get(anchor="p1-stk1").text
    words = [(i, i + 3) for i in range(0, 3 * (selectors.PASSAGE_LINKS + 3), 3)]
    assert words[-1][1] < len(text)
    for n, (start, end) in enumerate(words):
        _comments(_passage(version, "p1-stk1", start, end), 2 if n < 2 else 1)
    page = _draft(client, version).text
    assert page.count('class="passage-count"') == selectors.PASSAGE_LINKS
    assert "2 comments on the passage" in page
    assert f"{len(words) + 2} comments on this paragraph" in page
    paragraph = page[page.index('data-anchor="p1-stk1"') :].split("</p>")[0]
    assert "".join(re.findall("<mark>(.*?)</mark>", paragraph)) == text[: words[-1][1]]


def test_the_paragraph_page_lists_every_comment_a_page_at_a_time(client, version):
    passage = _passage(version, "p1-stk1", 0, 8)
    _comments(passage, selectors.COMMENTS_PER_PAGE + 5)
    url = reverse("hearings:paragraph_comments", args=[version.process_id, "p1-stk1"])
    first = client.get(url)
    assert first.status_code == 200
    assert f"{selectors.COMMENTS_PER_PAGE + 5} comments, newest first" in first.text
    newest = selectors.COMMENTS_PER_PAGE + 4
    assert f"Kommentar {newest}<" in first.text and "Kommentar 4<" not in first.text
    assert "<mark>" in first.text and "Page 1 of 2" in first.text
    assert f"{passage.get_absolute_url()}#comment-" in first.text
    second = client.get(url, {"v": 1, "page": 2})
    assert "Kommentar 4<" in second.text and "Kommentar 0<" in second.text
    assert f"Kommentar {newest}<" not in second.text


def test_the_paragraph_page_refuses_what_is_not_a_commentable_paragraph(client, version):
    process = version.process
    heading = version.paragraphs.filter(kind="heading").first()

    def status(anchor: str) -> int:
        url = reverse("hearings:paragraph_comments", args=[process.pk, anchor])
        return client.get(url).status_code

    assert status("p1-stk1") == 200
    assert status("nowhere") == 404 and status(heading.anchor) == 404
    process.is_published = False
    process.save()
    assert status("p1-stk1") == 404


def test_a_hidden_comment_leaves_the_cached_draft_at_once(client, version):
    passage = _passage(version, "p1-stk1", 0, 8)
    comments = _comments(passage, 2)
    assert "Kommentar 1" in _draft(client, version).text
    with CaptureQueriesContext(connection) as cached:
        again = _draft(client, version).text
    assert "Kommentar 1" in again
    assert not any('"comments_comment"' in q["sql"] for q in cached.captured_queries)

    target_hide(target=comments[1], moderator=StaffFactory(role=Role.MODERATOR), reason="Grov")
    page = _draft(client, version).text
    assert "Kommentar 1" not in page and "1 comment on this paragraph" in page
    url = reverse("hearings:paragraph_comments", args=[version.process_id, "p1-stk1"])
    assert "Kommentar 1<" not in client.get(url).text


def test_a_new_comment_shows_on_the_cached_draft_at_once(client, version):
    _comments(_passage(version, "p1-stk1", 0, 8), 1)
    assert "1 comment on this paragraph" in _draft(client, version).text
    user = UserFactory()
    services.passage_comment(
        version=version, user=user, body="Flere bænke", anchor="p2-stk1", first_sentence=0
    )
    page = _draft(client, version).text
    assert "Flere bænke" in page and "1 comment on this paragraph" in page


def test_a_citizen_who_may_comment_gets_the_links_to_comment_a_visitor_does_not(client, version):
    _comments(_passage(version, "p1-stk1", 0, 8), 1)
    assert "draft-comment-link" not in _draft(client, version).text
    client.force_login(UserFactory())
    assert "draft-comment-link" in _draft(client, version).text


def _queries(client, url, *, clear: bool = True) -> list[str]:
    """The hearing's and comments' queries of one request (the session's and the site's
    own vary with the first request, not with the comments)."""
    from django.core.cache import cache

    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in context.captured_queries
        if '"hearings_' in q["sql"] or '"comments_' in q["sql"]
    ]


def test_the_draft_and_paragraph_pages_ask_as_many_queries_for_many_comments_as_for_few(
    client, version
):
    client.force_login(UserFactory())
    draft = reverse("hearings:draft", args=[version.process_id])
    paragraph = reverse("hearings:paragraph_comments", args=[version.process_id, "p1-stk1"])
    _comments(_passage(version, "p1-stk1", 0, 8), 1)
    client.get(draft)
    few = (len(_queries(client, draft)), len(_queries(client, paragraph)))
    for anchor, length in [("p1-stk1", 30), ("p1-stk2", 20), ("p2-stk1", 25)]:
        for start in range(0, length, 5):
            _comments(_passage(version, anchor, start, start + 4), 3)
    many = (len(_queries(client, draft)), len(_queries(client, paragraph)))
    assert many == few
    assert few[0] <= 9 and few[1] <= 9


def test_a_cached_draft_reads_no_paragraph_passage_or_comment(client, version):
    _comments(_passage(version, "p1-stk1", 0, 8), 3)
    draft = reverse("hearings:draft", args=[version.process_id])
    tables = ('"hearings_paragraph"', '"hearings_passage"', '"comments_comment"')
    cold = _queries(client, draft)
    cached = _queries(client, draft, clear=False)
    assert any('"comments_comment"' in sql for sql in cold)
    assert cached == [sql for sql in cold if not any(table in sql for table in tables)]


def test_a_long_comment_is_cut_under_its_paragraph_and_whole_on_the_paragraphs_page(
    client, version
):
    passage = _passage(version, "p1-stk1", 0, 8)
    words = " ".join(f"ord{i}" for i in range(100))
    Comment.objects.create(
        target=passage, author=UserFactory(), body=words, body_html=f"<p>{words}</p>",
        status=Comment.Status.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    draft = _draft(client, version).text
    assert f"ord{selectors.EXCERPT_WORDS - 1}" in draft and "ord99" not in draft
    url = reverse("hearings:paragraph_comments", args=[version.process_id, "p1-stk1"])
    assert "ord99</p>" in client.get(url).text
