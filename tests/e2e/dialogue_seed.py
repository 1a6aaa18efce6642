"""Prepare the dialogue e2e site after `manage.py demo`: staff sessions and the ids the
browser tests need. Prints one JSON line."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

import django

django.setup()

from samskab.polls.demo import SURVEY_SLUG, UPCOMING_VOXPOP  # noqa: E402
from samskab.polls.models import Poll  # noqa: E402
from samskab.surveys.models import Survey  # noqa: E402
from samskab.webcasts.demo import PAST_ID, UPCOMING_ID  # noqa: E402
from samskab.webcasts.models import Meeting  # noqa: E402
from tests.e2e.webcasts_seed import session_for  # noqa: E402

if __name__ == "__main__":
    print(
        json.dumps(
            {
                "upcoming": Meeting.objects.get(external_id=UPCOMING_ID).pk,
                "past": Meeting.objects.get(external_id=PAST_ID).pk,
                "voxpop": Poll.objects.get(title=UPCOMING_VOXPOP).pk,
                "survey": Survey.objects.get(slug=SURVEY_SLUG).pk,
                "survey_slug": SURVEY_SLUG,
                "operator": session_for("operator@demo.samskab.dk"),
                "editor": session_for("redaktor@demo.samskab.dk"),
            }
        )
    )
