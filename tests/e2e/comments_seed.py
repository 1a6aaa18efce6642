"""After webcasts_seed: a moderator's session for the live blog's browser tests (one JSON line)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.e2e.webcasts_seed import session_for  # sets Django up

if __name__ == "__main__":
    print(json.dumps({"moderator": session_for("moderator@demo.samskab.dk")}))
