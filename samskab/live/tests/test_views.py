"""The views through Django's test client: refusals, polling, counts and the demo page.

Streams themselves are tested against a real server (test_server.py).
"""

import json

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Group

from samskab.accounts.models import User
from samskab.accounts.roles import Role
from samskab.accounts.tests.factories import with_totp
from samskab.live.brokers import get_broker
from samskab.live.services import DEMO_CHANNEL


@pytest.fixture(autouse=True)
def memory_broker(settings):
    settings.LIVE_BROKER_URL = "memory://"
    settings.LIVE_DEMO = True


def person(role: Role | None = None) -> User:
    user = User.objects.create_user(email=f"{role or 'citizen'}@example.org".replace(" ", "-"))
    if role:
        user.groups.add(Group.objects.get(name=role.value))
        with_totp(user)  # a role counts only after the second factor
    return user


@pytest.fixture
def citizen_client(client, db):
    client.force_login(person())
    return client


@pytest.fixture
def moderator_client(client, db):
    client.force_login(person(Role.MODERATOR))
    return client


@pytest.fixture
def operator_client(client, db):
    client.force_login(person(Role.OPERATOR))
    return client


# The stream ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_stream_explains_itself_under_wsgi(client):
    response = client.get("/live/demo:a/")
    assert response.status_code == 503
    assert b"samskab serve" in response.content


def asgi_get(async_client, path: str):
    """Through Django's ASGI handler, as uvicorn serves it (the stream refuses WSGI)."""
    return async_to_sync(async_client.get)(path)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/live/nosuch:1/", "/live/Demo:1/", "/live/demo:/"])
def test_the_stream_refuses_unknown_and_malformed_channels(async_client, path):
    assert asgi_get(async_client, path).status_code == 404


@pytest.mark.django_db
def test_the_stream_refuses_the_moderators_queue_to_anonymous_viewers(async_client):
    assert asgi_get(async_client, "/live/moderation:queue/").status_code == 403


@pytest.mark.django_db
def test_the_stream_refuses_the_moderators_queue_to_citizens(async_client):
    async_client.force_login(person())
    assert asgi_get(async_client, "/live/moderation:queue/").status_code == 403


# Polling ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_polling_returns_the_events_after_the_given_id(client):
    broker = get_broker()
    first = broker.publish("demo:a", "count", '{"n":1}')
    broker.publish("demo:a", "count", '{"n":2}')
    response = client.get("/live/demo:a/poll/", {"after": first.id})
    body = response.json()
    assert [(e["event"], e["data"]) for e in body["events"]] == [("count", {"n": 2})]
    assert body["reload"] is False
    assert body["last_id"].endswith("-2")


@pytest.mark.django_db
def test_polling_without_an_id_gives_the_position_only(client):
    get_broker().publish("demo:a", "count", '{"n":1}')
    body = client.get("/live/demo:a/poll/").json()
    assert body["events"] == [] and body["last_id"].endswith("-1")


@pytest.mark.django_db
def test_polling_with_a_stale_id_says_reload(client):
    get_broker().publish("demo:a", "count", '{"n":1}')
    assert client.get("/live/demo:a/poll/", {"after": "zzzz-9"}).json()["reload"] is True


@pytest.mark.django_db
def test_polling_refuses_the_moderators_queue_to_anonymous_viewers(client):
    assert client.get("/live/moderation:queue/poll/").status_code == 403


def test_polling_refuses_the_moderators_queue_to_citizens(citizen_client):
    assert citizen_client.get("/live/moderation:queue/poll/").status_code == 403


def test_polling_lets_moderators_follow_their_queue(moderator_client):
    assert moderator_client.get("/live/moderation:queue/poll/").status_code == 200


@pytest.mark.django_db
def test_polling_refuses_unknown_channels(client):
    assert client.get("/live/nosuch:1/poll/").status_code == 404


# Viewer counts ------------------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_counts_are_refused_to_anonymous_visitors(client):
    assert client.get("/live/demo:a/viewers/").status_code == 403


def test_viewer_counts_are_refused_to_citizens(citizen_client):
    assert citizen_client.get("/live/demo:a/viewers/").status_code == 403


def test_operators_see_viewer_counts(operator_client):
    response = operator_client.get("/live/demo:a/viewers/")
    assert response.json() == {"channel": "demo:a", "viewers": 0}


# The demo page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_page_follows_its_channel_without_inline_script(client):
    get_broker().publish(DEMO_CHANNEL, "message", "{}")
    response = client.get("/live/demo/")
    content = response.content.decode()
    assert f'data-live-channel="{DEMO_CHANNEL}"' in content
    assert 'data-live-url="/live/demo:board/"' in content
    assert 'data-live-last-id="' in content and '-1"' in content  # replay from rendering
    assert 'data-live-events="message"' in content
    assert "live.js" in content
    assert "<script>" not in content
    assert 'name="text"' not in content  # no publishing form for visitors


@pytest.mark.django_db
def test_the_demo_page_does_not_exist_when_the_demo_is_off(client, settings):
    settings.LIVE_DEMO = False
    assert client.get("/live/demo/").status_code == 404


def test_operators_get_the_publishing_form(operator_client):
    assert 'name="text"' in operator_client.get("/live/demo/").content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_cannot_publish_on_the_demo(client):
    assert client.post("/live/demo/publish/", {"text": "hi"}).status_code == 403
    assert get_broker().resume(DEMO_CHANNEL, None).position == ""


def test_citizens_cannot_publish_on_the_demo(citizen_client):
    assert citizen_client.post("/live/demo/publish/", {"text": "hi"}).status_code == 403
    assert get_broker().resume(DEMO_CHANNEL, None).position == ""


def test_an_operator_publishes_an_escaped_message_to_every_viewer(operator_client):
    response = operator_client.post("/live/demo/publish/", {"text": "<script>x()</script> Hej"})
    assert response.status_code == 302
    broker = get_broker()
    (event,) = broker.resume(DEMO_CHANNEL, f"{broker.epoch}-0").events
    data = json.loads(event.data_json())
    assert "&lt;script&gt;x()&lt;/script&gt; Hej" in data["html"]
    assert "<script>" not in data["html"]
    assert data["target"] == "#live-demo-messages"
    assert data["announce"] == "<script>x()</script> Hej"  # set as text by live.js


def test_an_empty_demo_message_is_refused_with_a_message(operator_client):
    response = operator_client.post("/live/demo/publish/", {"text": "  "})
    assert response.status_code == 400
    assert get_broker().resume(DEMO_CHANNEL, None).position == ""


# The registry -------------------------------------------------------------------------


def test_two_apps_cannot_claim_one_channel_kind():
    from samskab.live.channels import register_channel, unregister_channel

    register_channel("claimed", public=True)
    try:
        with pytest.raises(ValueError, match="registered already"):
            register_channel("claimed", public=True)
    finally:
        unregister_channel("claimed")


def test_an_app_may_take_over_a_provisional_kind():
    from samskab.live.channels import kind_of, register_channel, unregister_channel

    register_channel("stand-in", authorize=lambda user, viewer, key: True, provisional=True)
    try:
        assert kind_of("stand-in:x").provisional
        register_channel("stand-in", authorize=lambda user, viewer, key: False)
        assert not kind_of("stand-in:x").provisional
    finally:
        unregister_channel("stand-in")


def test_the_moderation_app_owns_its_channel():
    from samskab.live.channels import kind_of

    kind = kind_of("moderation:queue")
    assert kind is not None and not kind.provisional


def test_a_kind_needs_a_rule_or_to_be_public():
    from samskab.live.channels import register_channel

    with pytest.raises(ValueError, match="authorize"):
        register_channel("norule")
