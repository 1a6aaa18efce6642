"""stuffing: what a script with a fresh viewer cookie per request, from one address, still
gets through in an hour (security review M1, M2, H1).

    make bench-stuffing
    python -m bench.stuffing --attempts 450

Sets up its own SQLite database with an open "anyone, once per browser" poll, an open
"one answer per browser" survey, a citizen's published comment and a meeting with a
politician to write to. Then, for each kind of write in an hour of its own, it plays a
script that sends `--attempts` requests spread evenly over the hour, each from a browser
that first fetches a new viewer cookie (the poll or survey in the API, or the meeting page)
where that gives one, and else sends a cookie it signed itself with the site's key (as a
script that harvested cookies elsewhere would). Everything goes through the real middleware,
views, services and rate limiter (Django's test client, no network); the limiter reads a
clock the script moves, so an hour takes seconds.

Ends with one JSON line: what counted per hour (votes, survey answers, reports, feedback
messages stored and e-mailed, whether the reported comment stayed published, viewer cookies
given), next to the configured limits and to what the review measured before the fix (no
limit: 100 votes in 1.9 s, all counted).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

from samskab.live.testing import prepare_database, server_environment

HOUR = 3600.0
ADDRESS = "198.51.100.77"


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def run(attempts: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail, signing
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()  # e-mail to a list in memory; the test client's host allowed
    from samskab.comments.tests.factories import CommentFactory
    from samskab.core import ratelimit, viewer
    from samskab.feedback.models import FeedbackMessage, FeedbackRecipient
    from samskab.polls.models import Vote
    from samskab.polls.tests.factories import PersonFactory, first_option, make_poll
    from samskab.polls.votewriter import RATE_PER_ADDRESS
    from samskab.surveys.models import Response
    from samskab.surveys.services import ANSWERS_PER_ADDRESS
    from samskab.surveys.tests.factories import full_answers, make_survey

    clock = Clock(1_800_000_000.0)
    ratelimit.limiter.clock = clock
    signer = signing.get_cookie_signer(salt=settings.VIEWER_COOKIE_NAME + viewer.SALT)

    def browser(cookie_from: str | None = None) -> Client:
        client = Client(REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="en")
        if cookie_from:
            client.get(cookie_from)  # the site gives a cookie, if the address may have one
        if settings.VIEWER_COOKIE_NAME not in client.cookies:
            client.cookies[settings.VIEWER_COOKIE_NAME] = signer.sign(viewer.new_token())
        return client

    def hour(write) -> tuple[int, float]:
        """`write()` `attempts` times an hour for two hours, starting off the limiter's
        window boundaries: (most let through in any 60 minutes, mean let through an hour)."""
        clock.now += 3 * HOUR + 1234.5  # the previous kind's counts are long gone
        start, times = clock.now, []
        for n in range(2 * attempts):
            clock.now = start + n * HOUR / attempts
            if write():
                times.append(clock.now)
        most, first = 0, 0
        for last, at in enumerate(times):
            while at - times[first] >= HOUR:
                first += 1
            most = max(most, last - first + 1)
        return most, len(times) / 2

    def cookie_given() -> bool:
        client = Client(REMOTE_ADDR=ADDRESS, HTTP_ACCEPT_LANGUAGE="en")
        client.get(f"/api/v1/polls/{poll.pk}")  # an open once-per-browser poll gives one
        return settings.VIEWER_COOKIE_NAME in client.cookies

    poll = make_poll()
    vote_url = f"/api/v1/polls/{poll.pk}/votes"
    vote_body = {"options": [first_option(poll).pk]}
    votes, votes_mean = hour(
        lambda: (
            browser(f"/api/v1/polls/{poll.pk}")
            .post(vote_url, vote_body, content_type="application/json")
            .status_code
            == 201
        )
    )
    assert votes_mean * 2 == Vote.objects.count()
    cookies, _mean = hour(cookie_given)

    survey = make_survey()
    answer_url = f"/api/v1/surveys/{survey.slug}/responses"
    answer_body = {"answers": full_answers(survey)}
    answers, answers_mean = hour(
        lambda: (
            browser(f"/api/v1/surveys/{survey.slug}")
            .post(answer_url, answer_body, content_type="application/json")
            .status_code
            == 201
        )
    )
    assert answers_mean * 2 == Response.objects.count()

    comment = CommentFactory()
    report_url = reverse("moderation:report", args=[comment.pk])

    def report() -> bool:
        before = comment.reports.count()
        browser().post(report_url, {"reason": "spam"})
        return comment.reports.count() > before

    reports, _mean = hour(report)
    comment.refresh_from_db()

    meeting = comment.target  # the meeting the comment is on
    person = PersonFactory(name="Søren Ærø")
    FeedbackRecipient.objects.create(person=person, email="soeren@kommune.example")
    meeting.speakers.add(person)
    feedback_url = reverse("feedback:meeting", args=[meeting.pk])
    counter = iter(range(4 * attempts))
    mail.outbox = []

    def feedback() -> bool:
        n = next(counter)
        browser().post(feedback_url, {"recipient": str(person.pk), "message": f"Hej {n}"})
        return FeedbackMessage.objects.filter(message=f"Hej {n}").exists()

    def mailed() -> bool:
        before = len(mail.outbox)
        feedback()
        return len(mail.outbox) > before

    stored, _mean = hour(feedback)
    mails, _mean = hour(mailed)

    return {
        "bench": "stuffing",
        "attempts_per_hour": attempts,
        "figures": "most let through in any 60 minutes of two hours",
        "votes_per_hour": votes,
        "limit_votes_per_hour": int(RATE_PER_ADDRESS.split("/")[0]),
        "survey_answers_per_hour": answers,
        "limit_survey_answers_per_hour": int(ANSWERS_PER_ADDRESS.split("/")[0]),
        "anonymous_reports_per_hour": reports,
        "reported_comment_still_published": comment.status == comment.Status.PUBLISHED,
        "feedback_stored_per_hour": stored,
        "feedback_mailed_per_hour": mails,
        "viewer_cookies_per_hour": cookies,
        "before_fix": "unlimited (review M1: 100 votes in 1.9 s, all counted)",
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=450, help="requests per kind an hour")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = server_environment(Path(folder), broker="memory://", RATELIMIT_ENABLED="1")
        prepare_database(env)
        os.environ.update(env)
        print(json.dumps(run(args.attempts), ensure_ascii=False))


if __name__ == "__main__":
    main()
