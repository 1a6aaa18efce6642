"""Posts go out once each, and every refusal a network can give is handled: an expired
token is renewed, a rate limit waited out, a network that is down retried with backoff, a
duplicate or a refused post marked failed with the network's reason, shown to staff."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from samskab.accounts.roles import Role
from samskab.social import services
from samskab.social.models import Account, Kind, Post
from samskab.social.tasks import tick
from samskab.social.tests import helpers
from samskab.webcasts.tests.factories import AgendaItemFactory, MeetingFactory, user_with_role

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def meeting():
    made = MeetingFactory(
        title="Byrådsmøde", body__name="Byrådet", starts_at=NOW + timedelta(days=2)
    )
    AgendaItemFactory(meeting=made, number="1", title="Budget 2027")
    AgendaItemFactory(meeting=made, number="2", title="Ny skole i Vestbyen")
    return made


def _published(meeting) -> Post:
    return Post.objects.get(meeting=meeting, kind=Kind.PUBLISHED)


def test_the_published_post_goes_out_once_with_the_agenda_the_card_and_its_alt_text(nets, meeting):
    helpers.connected("mastodon", nets, now=NOW)
    tick(now=NOW)
    tick(now=NOW + timedelta(minutes=1))
    statuses = nets["mastodon"].statuses
    assert len(statuses) == 1
    text = statuses[0]["content"]
    assert "Byrådet: Byrådsmøde" in text and "• 1. Budget 2027" in text
    assert f"/moeder/{meeting.pk}/" in text
    media = nets["mastodon"].media["1"]
    assert media["bytes"] > 1000  # the JPEG card
    assert media["description"].startswith("Et kort med teksten: Byrådet, Byrådsmøde")
    post = _published(meeting)
    assert post.status == Post.Status.SENT and post.remote_url.endswith("/1000")
    assert nets["mastodon"].asked("POST", "/api/v1/statuses")[0].headers["idempotency-key"]


def test_an_expired_token_is_renewed_and_the_post_sent_once(nets, meeting):
    account = helpers.connected("x", nets, now=NOW)
    nets["x"].expire_tokens()
    tick(now=NOW)
    post = _published(meeting)
    assert post.status == Post.Status.SENT, post.reason
    assert len(nets["x"].tweets) == 1
    assert nets["x"].media[nets["x"].tweets[0]["media"]["media_ids"][0]]["alt"]
    account.refresh_from_db()
    assert account.status == Account.Status.CONNECTED
    assert [e.what for e in post.events.all()][1].startswith("The network refused the token")


def test_a_token_that_cannot_be_renewed_breaks_the_account_and_the_post_waits(nets, meeting):
    account = helpers.connected("mastodon", nets, now=NOW)
    nets["mastodon"].expire_tokens()
    tick(now=NOW)
    account.refresh_from_db()
    post = _published(meeting)
    assert account.status == Account.Status.BROKEN
    assert post.status == Post.Status.RETRY and "access token is invalid" in post.reason
    tick(now=NOW + timedelta(minutes=5))
    assert not nets["mastodon"].statuses  # waits for staff
    # Staff connect the account again: the post goes out.
    token = nets["mastodon"].issue(refresh=False)["access_token"]
    services.account_save_tokens(
        account=account, tokens=helpers.Tokens(token), now=NOW + timedelta(minutes=6)
    )
    tick(now=NOW + timedelta(minutes=6))
    assert len(nets["mastodon"].statuses) == 1
    assert _published(meeting).status == Post.Status.SENT


def test_a_rate_limit_is_waited_out_as_the_network_asks(nets, meeting):
    helpers.connected("x", nets, now=NOW)
    nets["x"].fail_next(
        "POST", "^/2/tweets$", 429, {"title": "Too Many Requests"}, {"Retry-After": "900"}
    )
    tick(now=NOW)
    post = _published(meeting)
    assert post.status == Post.Status.RETRY and post.reason.startswith("Rate limit")
    assert post.next_attempt_at == NOW + timedelta(seconds=900)
    tick(now=NOW + timedelta(minutes=10))
    assert not nets["x"].tweets
    tick(now=NOW + timedelta(minutes=15))
    assert len(nets["x"].tweets) == 1


def test_a_network_that_is_down_is_retried_with_backoff_then_the_post_fails(nets, meeting):
    helpers.connected("linkedin", nets, now=NOW)
    nets["linkedin"].down = True
    at = NOW
    waits = []
    for _ in range(services.MAX_ATTEMPTS):
        tick(now=at)
        post = _published(meeting)
        if post.status != Post.Status.RETRY:
            break
        waits.append(post.next_attempt_at - at)
        at = post.next_attempt_at
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert post.status == Post.Status.FAILED
    assert "could not be reached" in post.reason or "disconnected" in post.reason.lower()


def test_the_network_coming_back_sends_the_waiting_post(nets, meeting):
    helpers.connected("linkedin", nets, now=NOW)
    nets["linkedin"].down = True
    tick(now=NOW)
    nets["linkedin"].down = False
    tick(now=NOW + timedelta(seconds=30))
    assert _published(meeting).status == Post.Status.SENT
    assert len(nets["linkedin"].posts) == 1
    posted = nets["linkedin"].posts[0]
    assert posted["author"] == "urn:li:organization:5515715"
    assert posted["content"]["media"]["altText"].startswith("Et kort")


def test_a_duplicate_is_marked_failed_with_the_networks_reason_for_staff(client, nets, meeting):
    helpers.connected("facebook", nets, now=NOW)
    nets["facebook"].fail_next(
        "POST",
        "/photos$",
        400,
        {"error": {"message": "Duplicate status message", "type": "OAuthException", "code": 506}},
    )
    tick(now=NOW)
    tick(now=NOW + timedelta(hours=1))
    post = _published(meeting)
    assert post.status == Post.Status.FAILED and post.reason == "Duplicate status message"
    assert not nets["facebook"].posts
    client.force_login(user_with_role(Role.EDITOR))
    page = client.get(reverse("social:meeting", args=[meeting.pk])).content.decode()
    assert "Duplicate status message" in page and "Try again" in page


def test_a_picture_the_network_refuses_fails_the_post_with_its_reason(nets, meeting):
    helpers.connected("bluesky", nets, now=NOW)
    nets["bluesky"].fail_next(
        "POST", "uploadBlob", 400, {"error": "InvalidMimeType", "message": "Wrong type of file"}
    )
    tick(now=NOW)
    post = _published(meeting)
    assert post.status == Post.Status.FAILED and post.reason == "Wrong type of file"


def test_a_post_cut_off_while_sending_is_sent_again_only_where_the_network_dedupes(nets, meeting):
    mastodon = helpers.connected("mastodon", nets, now=NOW)
    x = helpers.connected("x", nets, now=NOW)
    tick(now=NOW)
    # As if the worker had died after the networks took the posts, before it noted them:
    Post.objects.filter(kind=Kind.PUBLISHED).update(status=Post.Status.SENDING, sending_since=NOW)
    assert services.posts_recover_stuck(now=NOW + timedelta(minutes=11)) == 2
    tick(now=NOW + timedelta(minutes=11))
    assert len(nets["mastodon"].statuses) == 1  # the same Idempotency-Key: the same status
    assert Post.objects.get(account=mastodon, kind=Kind.PUBLISHED).status == Post.Status.SENT
    on_x = Post.objects.get(account=x, kind=Kind.PUBLISHED)
    assert on_x.status == Post.Status.FAILED and "Look on the network" in on_x.reason
    assert len(nets["x"].tweets) == 1


def test_bluesky_reuses_its_record_key_so_a_lost_answer_posts_nothing_twice(nets, meeting):
    helpers.connected("bluesky", nets, now=NOW)
    tick(now=NOW)
    post = _published(meeting)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.RETRY, next_attempt_at=NOW)
    tick(now=NOW + timedelta(seconds=1))
    assert len(nets["bluesky"].records) == 1
    post.refresh_from_db()
    assert post.status == Post.Status.SENT
    record = next(iter(nets["bluesky"].records.values()))
    link = record["facets"][0]
    assert link["features"][0]["uri"].endswith(f"/moeder/{meeting.pk}/")
    start, end = link["index"]["byteStart"], link["index"]["byteEnd"]
    assert record["text"].encode()[start:end].decode() == link["features"][0]["uri"]
    assert record["embed"]["images"][0]["alt"].startswith("Et kort")


def test_a_text_longer_than_x_takes_is_cut_keeping_the_link(nets):
    meeting = MeetingFactory(title="Møde " + "meget langt navn " * 10, starts_at=NOW + timedelta(1))
    for _ in range(7):
        AgendaItemFactory(meeting=meeting, title="Et punkt med en lang overskrift " * 3)
    helpers.connected("x", nets, now=NOW)
    tick(now=NOW)
    text = nets["x"].tweets[0]["text"]
    assert text.endswith(f"/moeder/{meeting.pk}/") and "…" in text


def test_staff_edit_and_cancel_a_post_before_it_goes(client, nets, meeting):
    account = helpers.connected("x", nets, now=NOW)
    services.posts_plan(now=NOW)
    soon = Post.objects.get(meeting=meeting, account=account, kind=Kind.SOON)
    published = _published(meeting)
    client.force_login(user_with_role(Role.EDITOR))
    url = reverse("social:post_edit", args=[meeting.pk, soon.pk])
    prefix = f"post-{soon.pk}"
    response = client.post(
        url,
        {
            f"{prefix}-text": "x" * 300,
            f"{prefix}-picture_alt": "Kort",
            f"{prefix}-with_picture": "on",
        },
    )
    assert response.status_code == 400
    assert "X takes 280 characters; this text counts 300." in response.content.decode()
    response = client.post(
        url, {f"{prefix}-text": "Snart: byrådsmøde i dag!", f"{prefix}-picture_alt": ""}
    )
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.text == "Snart: byrådsmøde i dag!" and soon.edited and not soon.with_picture
    client.post(reverse("social:post_action", args=[meeting.pk, published.pk, "cancel"]))
    tick(now=NOW)
    assert not nets["x"].tweets
    tick(now=meeting.starts_at - timedelta(hours=3))
    assert [t["text"] for t in nets["x"].tweets] == ["Snart: byrådsmøde i dag!"]
    assert "media" not in nets["x"].asked("POST", "^/2/tweets$")[0].json
    page = client.get(reverse("social:meeting", args=[meeting.pk])).content.decode()
    assert "cancelled by staff" in page and "Text changed by staff." in page


def test_operators_do_not_edit_posts(client, meeting):
    client.force_login(user_with_role(Role.OPERATOR))
    assert client.get(reverse("social:meeting", args=[meeting.pk])).status_code == 403


def test_a_cancelled_meeting_cancels_its_waiting_posts(nets, meeting):
    helpers.connected("x", nets, now=NOW)
    services.posts_plan(now=NOW)
    meeting.status = meeting.Status.CANCELLED
    meeting.save()
    tick(now=NOW)
    assert not nets["x"].tweets
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.CANCELLED}
