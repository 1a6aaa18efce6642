"""The statistics browser test's database (run as a script with the site's environment).

`stats_seed.py`: after `manage.py demo`, the webcasts seed's sessions and meetings, and a vox
pop opened and a clip made on the recorded meeting. Prints one JSON line.

`stats_seed.py others <meeting> <poll> <clip>`: four other viewers of the recorded meeting,
so that the browser's own share, vote, embed, clip view and watch time lift each count to
five, the smallest the dashboards show (counts from 1 to 4 are suppressed). Then the
roll-up. Prints JSON.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

import django

django.setup()

from samskab.polls.models import Option, Poll, Question, Vote  # noqa: E402
from samskab.recordings.models import Clip  # noqa: E402
from samskab.stats import ingest  # noqa: E402
from samskab.stats.rollup import rollup  # noqa: E402
from samskab.webcasts.demo import PAST_ID  # noqa: E402
from samskab.webcasts.models import Meeting  # noqa: E402
from samskab.webcasts.selectors import meeting_index  # noqa: E402
from tests.e2e import webcasts_seed  # noqa: E402


def prepare() -> None:
    from django.utils import timezone

    past = Meeting.objects.get(external_id=PAST_ID)
    poll = Poll.objects.create(meeting=past, title="Skal der være flere cykelstier?")
    question = Question.objects.create(poll=poll, text="Skal der være flere cykelstier?")
    Option.objects.create(question=question, text="Ja", position=0)
    Option.objects.create(question=question, text="Nej", position=1)
    Poll.objects.filter(pk=poll.pk).update(status=Poll.Status.OPEN, opened_at=timezone.now())
    clip = Clip.objects.create(
        meeting=past, title="Borgmesterens velkomst", start_ms=0, end_ms=8000
    )
    data = {
        "past": past.pk,
        "poll": poll.pk,
        "clip": clip.pk,
        "editor": webcasts_seed.session_for("redaktor@demo.samskab.dk"),
    }
    print(json.dumps(data))


def others(meeting_id: int, poll_id: int, clip_id: int) -> None:
    meeting = Meeting.objects.get(pk=meeting_id)
    starts = [entry.start_ms // 1000 for entry in meeting_index(meeting).items if entry.start_ms]
    question = Question.objects.get(poll_id=poll_id)
    option = question.options.first()
    for n in range(4):
        ticket = ingest.ticket_issue(meeting_id)
        seq = iter(range(1, 1000))
        key = f"other-viewer-{n}"

        def send(data, key=key):
            refused = ingest.accept(data, viewer_key=key, user_agent="Mozilla/5.0 (X11)")
            assert refused is None, refused

        send({"t": ticket, "k": "play", "s": next(seq), "p": 0})
        for start in starts:
            send({"t": ticket, "k": "hb", "s": next(seq), "p": start + 5, "w": 60, "l": False})
        send({"t": ticket, "k": "share", "s": next(seq), "d": "copy"})
        send({"t": ticket, "k": "embed", "s": next(seq), "d": "http://127.0.0.1:1"})
        send({"t": ingest.ticket_issue(meeting_id), "k": "clip", "s": 1, "d": clip_id})
        Vote.objects.create(poll_id=poll_id, question=question, option=option, voter_key=key)
    ingest.flush()
    print(json.dumps(rollup(), default=str))


if __name__ == "__main__":
    if sys.argv[1:2] == ["others"]:
        others(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        prepare()
