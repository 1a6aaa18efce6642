"""The beacon in front of Django (stats/fastbeacon.py): answered at once, checked in batches
with every check the view makes (test_ingest.py), nothing lost on the way.

Requests go through `BeaconFastPath` as uvicorn would call it (httpx's ASGI transport); a spy
on the application behind it tells whether Django saw the request. The batch is checked by
calling `drain()` in the test (the thread that does it in production is tested last).
"""

import json
import time

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core import signing
from django.urls import reverse

from samskab.core.viewer import SALT, new_token
from samskab.stats import ingest
from samskab.stats.fastbeacon import BeaconFastPath
from samskab.stats.models import Dropped, Event, StatsSettings, stats_settings_changed
from samskab.stats.tests.helpers import archived_meeting, beacon

pytestmark = pytest.mark.django_db


class Spy:
    def __init__(self):
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})


@pytest.fixture
def site():
    spy = Spy()
    return spy, BeaconFastPath(spy, start_thread=False)


def dropped(reason: str) -> int:
    row = Dropped.objects.filter(reason=reason).first()
    return row.count if row else 0


def send_all(app, bodies, *, cookies=None, headers=None, path=None, method="POST"):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", cookies=cookies or {}
        ) as client:
            answers = []
            for body in bodies:
                content = body if isinstance(body, bytes) else json.dumps(body).encode()
                answers.append(
                    await client.request(
                        method,
                        path or reverse("stats:beacon"),
                        content=content,
                        headers={"Content-Type": "text/plain", **(headers or {})},
                    )
                )
            return answers

    return async_to_sync(go)()


def test_a_heartbeat_is_answered_ahead_of_django_and_stored_without_the_person(site):
    spy, app = site
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    (answer,) = send_all(
        app,
        [beacon(ticket, "hb", 1, p=120, w=15, l=False)],
        headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"},
    )
    assert (answer.status_code, answer.content, spy.calls) == (204, b"", 0)
    assert answer.headers["cache-control"] == "no-store"
    assert "set-cookie" not in answer.headers
    assert Event.objects.count() == 0  # answered before it is checked
    assert app.drain() == 1
    event = Event.objects.get()
    assert (event.kind, event.meeting_id, event.position_s, event.watched_s, event.live) == (
        "hb",
        meeting.pk,
        120,
        15,
        False,
    )
    assert event.device == "mobile"
    stored = json.dumps(list(Event.objects.values()), default=str)
    assert "iPhone" not in stored and ticket not in stored


def test_the_viewer_cookie_gives_the_same_pseudonym_as_the_view(site, client):
    _spy, app = site
    meeting = archived_meeting()
    token = new_token()
    signed = signing.get_cookie_signer(salt=settings.VIEWER_COOKIE_NAME + SALT).sign(token)
    cookies = {settings.VIEWER_COOKIE_NAME: signed}
    send_all(app, [beacon(ingest.ticket_issue(meeting.pk), "hb", 1, p=1, w=15)], cookies=cookies)
    app.drain()
    client.cookies[settings.VIEWER_COOKIE_NAME] = signed
    client.post(
        reverse("stats:beacon"),
        json.dumps(beacon(ingest.ticket_issue(meeting.pk), "hb", 1, p=1, w=15)),
        content_type="text/plain",
    )
    fast, view = Event.objects.order_by("id")
    assert fast.viewer == view.viewer  # one viewer, two page loads
    assert fast.session != view.session
    # A forged cookie counts as no cookie: the page load stands for the viewer.
    send_all(
        app,
        [beacon(ingest.ticket_issue(meeting.pk), "hb", 1, p=1, w=15)],
        cookies={settings.VIEWER_COOKIE_NAME: signed[:-2] + "xx"},
    )
    app.drain()
    last = Event.objects.order_by("id").last()
    assert last.viewer == last.session


def test_every_bad_beacon_of_one_batch_is_dropped_and_counted_as_the_view_counts_it(site):
    _spy, app = site
    meeting = archived_meeting(duration_s=600)
    ticket = ingest.ticket_issue(meeting.pk)
    other = signing.TimestampSigner(key="not-our-key", salt=ingest.TICKET_SALT).sign(
        f"{meeting.pk}.n"
    )
    flood = ingest.ticket_issue(meeting.pk)
    bodies = [
        beacon(ticket, "hb", 1, p=10, w=15),  # kept
        beacon(ticket, "hb", 1, p=10, w=15),  # replayed within the batch
        beacon(ticket, "hb", 2, p=600 + ingest.POSITION_SLACK_S + 1, w=15),  # position
        beacon(ticket, "hb", 3, p=-5, w=15),  # position
        beacon(ticket, "hb", 4, p=590, w=15),  # kept
        beacon(f"{meeting.pk}.abc:forged", "hb", 1, p=1, w=15),  # forged
        beacon(other, "hb", 1, p=1, w=15),  # forged
        beacon(ingest.ticket_issue(999_999), "hb", 1, p=1, w=15),  # forged: no such meeting
        beacon(ticket, "vote", 5),  # kind
        b"not json",  # malformed
        b"[1, 2]",  # malformed
        b"null",  # malformed
        b"x" * 5000,  # malformed: longer than a beacon
        beacon(ticket, "hb", 6, p=1, w=999),  # malformed
        beacon(ticket, "share", 7, d="myspace"),  # malformed
        *[beacon(flood, "hb", seq, p=seq, w=1) for seq in range(1, ingest.PER_MINUTE + 6)],
    ]
    answers = send_all(app, bodies)
    assert {a.status_code for a in answers} == {204}
    app.drain()
    assert Event.objects.count() == 2 + ingest.PER_MINUTE
    assert {reason: dropped(reason) for reason in ingest.DROP_REASONS} == {
        "malformed": 6,
        "forged": 3,
        "replayed": 1,
        "flood": 5,
        "kind": 1,
        "position": 2,
        "off": 0,
        "overload": 0,
    }
    # A replay in a later batch is found through the shared cache, as the view finds it.
    send_all(app, [beacon(ticket, "hb", 4, p=590, w=15), beacon(ticket, "hb", 8, p=30, w=15)])
    app.drain()
    assert dropped("replayed") == 2
    assert Event.objects.count() == 3 + ingest.PER_MINUTE


def test_a_replay_is_found_among_thousands_of_page_loads(site):
    # A process's cache forgetting page loads (Django's local memory cache keeps 300
    # entries by default) would let a replayed beacon in unnoticed.
    _spy, app = site
    meeting = archived_meeting()
    tickets = [ingest.ticket_issue(meeting.pk) for _ in range(2000)]
    app.queue.extend(
        (json.dumps(beacon(t, "hb", 1, p=10, w=15)).encode(), "", "", time.time()) for t in tickets
    )
    app.drain()
    send_all(app, [beacon(tickets[0], "hb", 1, p=10, w=15)])
    app.drain()
    assert Event.objects.count() == 2000
    assert dropped("replayed") == 1


def test_the_view_and_the_fast_path_share_a_page_loads_sequence(site, client):
    _spy, app = site
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    client.post(
        reverse("stats:beacon"),
        json.dumps(beacon(ticket, "hb", 5, p=1, w=15)),
        content_type="text/plain",
    )
    send_all(app, [beacon(ticket, "hb", 5, p=1, w=15), beacon(ticket, "hb", 6, p=16, w=15)])
    app.drain()
    assert Event.objects.count() == 2
    assert dropped("replayed") == 1


def test_nothing_is_counted_when_the_site_turns_it_off(site):
    _spy, app = site
    meeting = archived_meeting()
    StatsSettings.objects.update_or_create(pk=1, defaults={"enabled": False})
    stats_settings_changed()
    send_all(app, [beacon(ingest.ticket_issue(meeting.pk), "hb", 1, p=1, w=15)])
    app.drain()
    assert Event.objects.count() == 0
    assert dropped("off") == 1


def test_beyond_the_queues_bound_beacons_are_dropped_as_overload(site):
    spy = Spy()
    app = BeaconFastPath(spy, queue_max=2, start_thread=False)
    meeting = archived_meeting()
    ticket = ingest.ticket_issue(meeting.pk)
    answers = send_all(app, [beacon(ticket, "hb", seq, p=seq, w=1) for seq in range(1, 6)])
    assert {a.status_code for a in answers} == {204}
    app.drain()
    assert Event.objects.count() == 2
    assert dropped("overload") == 3


def test_other_requests_go_to_django(site):
    spy, app = site
    assert send_all(app, [b"{}"], path="/statistik/b/x")[0].status_code == 418
    assert send_all(app, [b""], method="GET")[0].status_code == 418
    assert send_all(app, [b"x"], path="/")[0].status_code == 418
    assert spy.calls == 3
    assert not app.queue


@pytest.mark.django_db(transaction=True)
def test_the_thread_checks_and_stores_what_was_answered():
    spy = Spy()
    app = BeaconFastPath(spy)
    try:
        meeting = archived_meeting()
        ticket = ingest.ticket_issue(meeting.pk)
        send_all(app, [beacon(ticket, "hb", seq, p=seq, w=1) for seq in range(1, 4)])
        deadline = time.monotonic() + 10
        while Event.objects.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Event.objects.count() == 3
        assert app.thread is not None and app.thread.is_alive()
    finally:
        app.stop()
    assert not app.thread.is_alive()
