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


def test_a_mastodon_server_s_own_limits_replace_the_defaults():
    server = {
        "statuses": {"max_characters": 1000, "characters_reserved_per_url": 30},
        "media_attachments": {
            "image_size_limit": 8_000_000,
            "image_matrix_limit": 4_000_000,
            "description_limit": 900,
        },
    }
    own = limits.of("mastodon", server)
    assert (own.length, own.link_length, own.alt_length) == (1000, 30, 900)
    assert (own.picture_bytes, own.picture_pixels) == (8_000_000, 4_000_000)
    text = "Byrådsmøde i aften. " * 40  # 800 characters: too long by default, not here
    assert not limits.fits(text, "mastodon") and limits.fits(text, "mastodon", server)
    assert limits.length(f"Se mødet: {LINK}", "mastodon", server) == len("Se mødet: ") + 30
    assert len(limits.fit_alt("a" * 5000, "mastodon", server)) == 900
    # Another network's limits are its own whatever a server says.
    assert limits.of("bluesky", server) == limits.LIMITS["bluesky"]


def test_only_positive_whole_numbers_are_taken_from_a_server():
    said = {
        "statuses": {"max_characters": "5000", "characters_reserved_per_url": True},
        "media_attachments": {"image_size_limit": -1, "image_matrix_limit": 2_000_000},
        "urls": {"streaming": "wss://mastodon.example"},
    }
    assert limits.server_limits(said) == {"media_attachments": {"image_matrix_limit": 2_000_000}}
    assert limits.of("mastodon", said).length == 500
    assert limits.server_limits(["not", "a", "configuration"]) == {}
