"""Fail when the Danish catalogue misses a string: every visitor-facing text has Danish.

Run by CI after `samskab makemessages` would have nothing new to add: it extracts the
strings into a temporary folder and compares them with the committed catalogue, so a new
string without a Danish translation fails the build. Needs GNU gettext (xgettext).
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "samskab"
CATALOGUE = APP / "locale" / "da" / "LC_MESSAGES" / "django.po"


def extracted_msgids() -> set[str]:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "samskab"
        shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("vendor", "__pycache__"))
        shutil.rmtree(copy / "locale", ignore_errors=True)
        (copy / "locale").mkdir()
        # Our own manage.py with fixed arguments.
        subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "da", "--no-obsolete"],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        fresh = polib.pofile(str(copy / "locale" / "da" / "LC_MESSAGES" / "django.po"))
        return {entry.msgid for entry in fresh if entry.msgid}


def main() -> int:
    catalogue = polib.pofile(str(CATALOGUE))
    translated = {
        entry.msgid
        for entry in catalogue
        if entry.translated() and "fuzzy" not in entry.flags and not entry.obsolete
    }
    missing = sorted(extracted_msgids() - translated)
    for msgid in missing[:50]:
        print(f"no Danish for: {msgid[:100]!r}")
    if missing:
        print(f"{len(missing)} string(s) without Danish; run `make messages` and translate them.")
        return 1
    print(f"Danish catalogue complete ({len(translated)} strings).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
