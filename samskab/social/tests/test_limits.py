"""Each network's limits: links as X and Mastodon count them, cutting that keeps the link."""

from samskab.social import limits

LINK = "https://samskab.example.dk/moeder/12/" + "x" * 60


def test_a_link_counts_as_23_on_x_and_mastodon_and_in_full_on_bluesky():
    text = f"Se mødet: {LINK}"
    assert limits.length(text, "x") == len("Se mødet: ") + 23
    assert limits.length(text, "mastodon") == len("Se mødet: ") + 23
    assert limits.length(text, "bluesky") == len(text)


def test_danish_letters_count_once_on_x_and_emoji_twice():
    assert limits.length("æøå", "x") == 3
    assert limits.length("🎉", "x") == 2


def test_a_text_too_long_is_cut_before_the_link_which_stays_whole():
    text = ("Byrådet behandler kommuneplanen og budgettet. " * 20) + LINK
    for network in ("x", "bluesky", "mastodon"):
        fitted = limits.fit(text, network)
        assert limits.fits(fitted, network), network
        assert fitted.endswith(LINK)
        assert "…" in fitted


def test_a_text_that_fits_is_left_alone():
    assert limits.fit("Kort tekst", "x") == "Kort tekst"


def test_alt_text_is_cut_to_the_networks_length():
    assert len(limits.fit_alt("a" * 5000, "x")) == 1000
