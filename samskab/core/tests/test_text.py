"""The one text-cleaning helper (pure: no database)."""

import pytest

from samskab.core.text import BrokenText, clean_text


def test_it_drops_nul_and_lone_surrogates():
    assert clean_text("a\x00b \ud800c\udfff") == "ab c"


def test_it_keeps_tabs_and_makes_every_line_end_a_newline():
    assert clean_text("a\tb\r\nc\rd\x0be\x0cf\u2028g") == "a\tb\nc\nd\ne\nf\ng"


def test_it_drops_invisible_controls_and_c1_controls():
    assert clean_text("a\x07b\x1bc\x7fd\x85e") == "abcde"


def test_it_keeps_letters_emoji_and_right_to_left_text():
    text = "Æblegrød 😀 שלום"
    assert clean_text(text) == text


def test_it_drops_bidirectional_overrides_from_text():
    assert clean_text("ok \u202eevil\u202c and \u2067isolated\u2069") == "ok evil and isolated"


def test_a_line_loses_direction_marks_and_runs_of_white_space():
    assert clean_text("  Anne\u200f \u202eesnaH\n\tJensen  ", line=True) == "Anne esnaH Jensen"


@pytest.mark.parametrize(("text", "code"), [("a\x00", "nul"), ("a\ud800", "surrogate")])
def test_strict_refuses_nul_and_surrogates_with_a_reason(text, code):
    with pytest.raises(BrokenText) as refused:
        clean_text(text, strict=True)
    assert refused.value.code == code


def test_strict_still_cleans_the_rest():
    assert clean_text("a\x07\u202eb", strict=True) == "ab"


@pytest.mark.parametrize(
    "value",
    ["plain ascii", "æøå ÆØÅ", "\ud800", "a\udfffb", "\ud83d\ude00", "emoji 😀", "", "\U0010ffff"],
)
def test_surrogates_are_found_as_the_expression_finds_them(value):
    from samskab.core.text import _SURROGATE, _has_surrogate

    assert _has_surrogate(value) == bool(_SURROGATE.search(value))
    assert _has_surrogate("x" * 100_000 + value) == bool(_SURROGATE.search(value))
