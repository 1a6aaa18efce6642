"""One Danish word for each thing staff meet, and none that says something else (staff walk
finding 34)."""

import re
from pathlib import Path

import polib
from django.utils import translation

from samskab.recordings.models import Retention

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "da" / "LC_MESSAGES" / "django.po"


def danish_texts() -> list[str]:
    return [entry.msgstr for entry in polib.pofile(str(CATALOGUE)) if entry.msgstr] + [
        text for entry in polib.pofile(str(CATALOGUE)) for text in entry.msgstr_plural.values()
    ]


def test_a_body_is_a_forsamling_and_the_timeline_editor_a_tidslinjevaerktoej():
    # "organ" (but not OParl's own term, nor "organisation") and "tidslinjeeditor".
    organ = re.compile(r"(?<![-\w])organ(?:et|er|erne)?\b", re.IGNORECASE)
    found = [text for text in danish_texts() if organ.search(text) or "tidslinjeeditor" in text]
    assert not found, found


def test_the_retention_choice_keep_is_not_the_save_button():
    with translation.override("da"):
        assert str(Retention.KEEP.label) == "Behold"
        assert str(Retention.KEEP.label) != translation.gettext("Save")


def test_the_census_check_says_what_the_file_contains_in_plain_danish():
    with translation.override("da"):
        assert translation.gettext("What the file contains") == "Filen indeholder"
