"""Prepare the citizen-journey e2e site after `manage.py demo`: the committee meeting goes
live with its vox pop open (as `make run` does it, through the services the console uses),
and the demo citizen, signed in by a session, is verified as a resident with a demo census
row (through the service the verification page uses). Prints one JSON line."""

import json
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from samskab.accounts.demo import DEMO_CENSUS, DEMO_CITIZEN  # noqa: E402
from samskab.accounts.models import User  # noqa: E402
from samskab.accounts.services import residence_verify  # noqa: E402
from samskab.streaming.demo_live import demo_live_start  # noqa: E402
from samskab.webcasts.demo import PAST_ID  # noqa: E402
from samskab.webcasts.models import Meeting  # noqa: E402


def citizen_session() -> str:
    user = User.objects.get(email=DEMO_CITIZEN)
    identifier, birth, postal = DEMO_CENSUS[0]
    residence_verify(
        user=user, identifier=identifier, birth_date=date.fromisoformat(birth), postal_code=postal
    )
    return session_of(user)


def leaver_session() -> str:
    """Another citizen, who takes their data and deletes their account at the end."""
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email="afsked@example.org", password="afsked-2026-kode")
    user.display_name = "Bo Afsked"
    user.save(update_fields=["display_name"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return session_of(user)


def session_of(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["samskab_session_started"] = int(time.time())
    store.create()
    return store.session_key


if __name__ == "__main__":
    # As `make run` does it (samskab demo_live), without the feed.
    live = demo_live_start()
    assert live is not None and live.voxpop is not None
    print(
        json.dumps(
            {
                "live": live.meeting.pk,
                "past": Meeting.objects.get(external_id=PAST_ID).pk,
                "voxpop": live.voxpop.pk,
                "citizen": citizen_session(),
                "leaver": leaver_session(),
            }
        )
    )
