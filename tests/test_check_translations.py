"""scripts/check_translations.py: the CI gate that keeps the Danish catalogue complete."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_translations.py"
spec = importlib.util.spec_from_file_location("check_translations", SCRIPT)
check_translations = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_translations)

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""


@pytest.fixture
def catalogue(tmp_path):
    def write(body: str, header: str = HEADER) -> Path:
        folder = tmp_path / "da" / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "django.po").write_text(header + body, encoding="utf-8")
        return tmp_path

    return write


def run(locale_dir: Path) -> int:
    return check_translations.main(["--locale-dir", str(locale_dir), "da"])


def test_it_passes_a_complete_catalogue(catalogue, capsys):
    locale = catalogue(
        'msgid "Meetings"\nmsgstr "Møder"\n\n'
        '#, python-format\nmsgid "%(days)s day."\nmsgid_plural "%(days)s days."\n'
        'msgstr[0] "%(days)s dag."\nmsgstr[1] "%(days)s dage."\n'
    )
    assert run(locale) == 0
    assert "0 problem(s)" in capsys.readouterr().out


def test_it_refuses_an_empty_translation(catalogue, capsys):
    assert run(catalogue('msgid "Meetings"\nmsgstr ""\n')) == 1
    assert "untranslated" in capsys.readouterr().out


def test_it_refuses_an_empty_plural_form(catalogue, capsys):
    locale = catalogue(
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s dag"\nmsgstr[1] ""\n'
    )
    assert run(locale) == 1
    assert "untranslated" in capsys.readouterr().out


def test_it_refuses_a_fuzzy_translation(catalogue, capsys):
    assert run(catalogue('#, fuzzy\nmsgid "Meetings"\nmsgstr "Møder"\n')) == 1
    assert "fuzzy" in capsys.readouterr().out


def test_it_refuses_a_lost_or_renamed_placeholder(catalogue, capsys):
    locale = catalogue(
        '#, python-format\nmsgid "Write to %(email)s."\nmsgstr "Skriv til %(mail)s."\n'
    )
    assert run(locale) == 1
    assert "placeholders differ" in capsys.readouterr().out


def test_it_refuses_a_translation_that_drops_a_link(catalogue, capsys):
    locale = catalogue(
        '#, python-format\nmsgid "See <a href=\\"%(url)s\\">the page</a>."\n'
        'msgstr "Se siden %(url)s."\n'
    )
    assert run(locale) == 1
    assert "HTML tags differ" in capsys.readouterr().out


def test_it_refuses_a_catalogue_without_plural_forms(catalogue, capsys):
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    assert run(catalogue('msgid "Meetings"\nmsgstr "Møder"\n', header=header)) == 1
    assert "Plural-Forms" in capsys.readouterr().out


def test_it_refuses_a_language_without_a_catalogue(tmp_path, capsys):
    assert run(tmp_path) == 1
    assert "no .po files" in capsys.readouterr().out
