"""Readable colours whatever a municipality picks (pure: no database, no Django)."""

import itertools

import pytest

from samskab.core.colours import (
    BLACK,
    DARK,
    MINIMUM_CONTRAST,
    WHITE,
    contrast_ratio,
    readable_on,
    text_colour_on,
    theme_for,
)

# Every 17th step of each channel: 4,096 colours across the whole cube.
SAMPLE = [
    "#{:02x}{:02x}{:02x}".format(*rgb) for rgb in itertools.product(range(0, 256, 17), repeat=3)
]


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, #777777 is 4.48:1.
    assert contrast_ratio("#767676", WHITE) == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", WHITE) == pytest.approx(4.48, abs=0.01)


def test_it_keeps_white_text_on_a_dark_primary_colour():
    theme = theme_for(primary="#004993", header="#ffffff")
    assert theme.on_primary == WHITE
    assert theme.link == "#004993"
    assert theme.on_header == DARK


def test_it_picks_dark_text_when_white_on_the_colour_would_be_unreadable():
    theme = theme_for(primary="#FFDD00", header="#7fb539")
    assert contrast_ratio(WHITE, "#ffdd00") < MINIMUM_CONTRAST
    assert theme.on_primary == DARK
    assert theme.on_header == DARK
    # Links in a light yellow would vanish on white; a darker shade of it is used.
    assert theme.link != "#ffdd00"
    assert contrast_ratio(theme.link, WHITE) >= MINIMUM_CONTRAST


def test_it_falls_back_to_black_where_near_black_text_is_not_enough():
    assert contrast_ratio(WHITE, "#777777") < MINIMUM_CONTRAST
    assert contrast_ratio(DARK, "#777777") < MINIMUM_CONTRAST
    assert text_colour_on("#777777") == BLACK


def test_every_colour_gets_text_and_links_of_at_least_4_5_to_1():
    unreadable = []
    for colour in [*SAMPLE, "#777777", "#808080"]:
        theme = theme_for(primary=colour, header=colour)
        pairs = [
            (theme.on_primary, theme.primary),
            (theme.on_primary_hover, theme.primary_hover),
            (theme.on_header, theme.header),
            (theme.link, WHITE),
        ]
        unreadable += [(colour, a, b) for a, b in pairs if contrast_ratio(a, b) < MINIMUM_CONTRAST]
    assert unreadable == []


def test_a_readable_colour_is_left_as_chosen():
    assert readable_on("#AA0000", WHITE) == "#aa0000"
    assert readable_on("#ffffff", BLACK) == "#ffffff"


def test_a_colour_that_is_not_hex_is_refused():
    with pytest.raises(ValueError):
        theme_for(primary="red", header="#ffffff")
