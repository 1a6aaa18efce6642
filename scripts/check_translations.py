"""Fail when a translation catalogue is incomplete.

Usage: python scripts/check_translations.py [--locale-dir DIR] [LANG ...]   (default: da)

For every .po file under samskab/locale/<LANG>/LC_MESSAGES/ it reports, and exits 1 on:
- an entry without a translation (an empty msgstr, or any empty plural form);
- an entry marked fuzzy (gettext skips those when compiling, so visitors see English);
- a translation whose placeholders (%(name)s, %s, %d, {name}) differ from its source;
- a translation whose HTML tags differ from its source;
- a catalogue without the Plural-Forms header.
Obsolete entries (#~) are ignored. English needs no translations and is not checked by default.
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "samskab" / "locale"

PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdifr]|\{[A-Za-z_]\w*\}")
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*")


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def tags(text: str) -> Counter:
    return Counter(TAG.findall(text))


def entry_problems(entry: polib.POEntry) -> list[str]:
    problems = []
    if entry.fuzzy:
        problems.append("fuzzy")
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        sources = [entry.msgid] + [entry.msgid_plural] * (len(forms) - 1)
    else:
        forms = [entry.msgstr]
        sources = [entry.msgid]
    if not forms or any(not form.strip() for form in forms):
        problems.append("untranslated")
        return problems
    if entry.msgid_plural:
        # A form may leave out the count ("one day"), but may use no name the source lacks.
        allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
        for form in forms:
            extra = set(placeholders(form)) - allowed
            if extra:
                problems.append(f"placeholders not in the source: {sorted(extra)}")
    else:
        wanted, found = placeholders(entry.msgid), placeholders(forms[0])
        if wanted != found:
            problems.append(
                f"placeholders differ: {sorted(wanted.elements())} vs {sorted(found.elements())}"
            )
    for source, form in zip(sources, forms, strict=True):
        if tags(source) != tags(form):
            wanted, found = sorted(tags(source).elements()), sorted(tags(form).elements())
            problems.append(f"HTML tags differ: {wanted} vs {found}")
    return problems


def check_file(path: Path) -> list[str]:
    catalogue = polib.pofile(str(path))
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    errors = []
    if "Plural-Forms" not in catalogue.metadata:
        errors.append(f"{rel}: the header has no Plural-Forms")
    for entry in catalogue:
        if entry.obsolete:
            continue
        for problem in entry_problems(entry):
            first_line = entry.msgid.splitlines()[0] if entry.msgid else ""
            errors.append(f"{rel}:{entry.linenum}: {problem}: {first_line[:70]!r}")
    return errors


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", default=["da"])
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR)
    args = parser.parse_args(argv)
    languages = args.languages
    errors: list[str] = []
    checked = 0
    for language in languages:
        files = sorted((args.locale_dir / language / "LC_MESSAGES").glob("*.po"))
        if not files:
            errors.append(f"no .po files for language {language!r} under {args.locale_dir}")
        for path in files:
            checked += sum(1 for e in polib.pofile(str(path)) if not e.obsolete)
            errors.extend(check_file(path))
    for line in errors:
        print(line)
    print(f"{checked} entries checked in {', '.join(languages)}: {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
