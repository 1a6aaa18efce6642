"""Prepare the e2e site's database after `manage.py demo` (run as a script with the site's
environment): staff sessions for the browser, since staff sign in with a second factor.

Prints one JSON line: the demo's coming and recorded meetings and the sessions.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

import django

django.setup()

from allauth.mfa.models import Authenticator  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from samskab.accounts.models import User  # noqa: E402
from samskab.webcasts.demo import PAST_ID, UPCOMING_ID  # noqa: E402
from samskab.webcasts.models import Meeting  # noqa: E402


def session_for(email: str) -> str:
    user = User.objects.get(email=email)
    # Staff pages need a second factor on the account; the browser signs in by session.
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {}}
    )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["samskab_session_started"] = int(time.time())
    store.create()
    return store.session_key


def main() -> None:
    print(
        json.dumps(
            {
                "upcoming": Meeting.objects.get(external_id=UPCOMING_ID).pk,
                "past": Meeting.objects.get(external_id=PAST_ID).pk,
                "operator": session_for("operator@demo.samskab.dk"),
                "editor": session_for("redaktor@demo.samskab.dk"),
            }
        )
    )


if __name__ == "__main__":
    main()
