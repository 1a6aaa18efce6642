"""Prepare the whole-budget browser test's site after `manage.py demo` (run as a script with
the site's environment): sessions for the demo's administrator, valuator and poll officer,
who sign in with a second factor, so the browser signs in by session.

Prints one JSON line with the sessions.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.e2e.webcasts_seed import session_for  # importing it sets Django up


def main() -> None:
    print(
        json.dumps(
            {
                "administrator": session_for("admin@demo.samskab.dk"),
                "valuator": session_for("valuator@demo.samskab.dk"),
                "poll_officer": session_for("valgstyrer@demo.samskab.dk"),
            }
        )
    )


if __name__ == "__main__":
    main()
