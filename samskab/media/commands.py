"""ffmpeg command lines, built in one place and tested (tests/ beside the apps that run them).

Each builder returns the argument list after the ffmpeg binary; nothing here runs a process.
"""

from __future__ import annotations

# --- Live: ingest and restreaming (the streaming app) -------------------------------------


# --- Archive: packaging uploads, clips, redaction (the recordings app) --------------------


# --- end --------------------------------------------------------------------------------
