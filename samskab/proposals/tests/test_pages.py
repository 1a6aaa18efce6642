"""The list's keyset pages (selectors.page_of, ?after= and ?before=): in every order the
pages forward show each proposal once, in the order's order, ties broken by newest id, and
the pages back show the same pages again."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from samskab.proposals import selectors
from samskab.proposals.tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposals():
    # Ties on purpose: three values of each order for eleven proposals.
    return [
        ProposalFactory(support_count=i % 3, comment_count=i % 3, hot_score=float(i % 3))
        for i in range(11)
    ]


@pytest.mark.parametrize("order", selectors.Order.ALL)
def test_pages_forward_and_back_show_each_proposal_once_in_order(proposals, order):
    everything = list(selectors.proposal_list(order=order))
    forward, after = [], None
    while True:
        page = selectors.page_of(selectors.proposal_list(order=order), order, after=after, size=4)
        forward.append([p.pk for p in page.proposals])
        if page.after is None:
            break
        after = page.after
    assert [pk for ids in forward for pk in ids] == [p.pk for p in everything]
    assert [len(ids) for ids in forward] == [4, 4, 3]
    # Back from the last page: the same pages, and none before the first.
    back, before = [forward[-1]], forward[-1][0]
    while before is not None:
        page = selectors.page_of(selectors.proposal_list(order=order), order, before=before, size=4)
        back.insert(0, [p.pk for p in page.proposals])
        before = page.before
    assert back == forward


def test_a_page_after_a_proposal_that_is_gone_is_the_first(proposals):
    first = selectors.page_of(selectors.proposal_list(), selectors.Order.HOT, size=4)
    assert first.before is None
    gone = selectors.page_of(selectors.proposal_list(), selectors.Order.HOT, after=10**9, size=4)
    assert [p.pk for p in gone.proposals] == [p.pk for p in first.proposals]


def test_the_list_links_its_pages_by_proposal(client, proposals, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    url = reverse("proposals:list")
    first = client.get(url + "?order=new").text
    assert "Next page" not in first and "Previous page" not in first  # eleven: one page
    for p in proposals:
        ProposalFactory(created_at=p.created_at)  # 22 now: two pages of twenty
    cache.clear()
    first = client.get(url + "?order=new").text
    everything = list(selectors.proposal_list(order="new"))
    assert f'&amp;after={everything[19].pk}">Next page' in first
    assert "Previous page" not in first
    second = client.get(url + f"?order=new&after={everything[19].pk}").text
    assert everything[20].title in second and everything[19].title not in second
    assert f'&amp;before={everything[20].pk}">Previous page' in second
    assert "Next page" not in second
    # A made-up position is the first page, not an error.
    assert client.get(url + "?order=new&after=abc").status_code == 200
