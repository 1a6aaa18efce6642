"""A picture bigger than a network takes is made smaller (re-encoded, then scaled down)
rather than left out; it goes as it is where it fits."""

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from samskab.social import pictures, texts
from samskab.social.models import Kind, Post
from samskab.social.tasks import tick
from samskab.social.tests import helpers
from samskab.webcasts.tests.factories import MeetingFactory

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _noise_png(width: int, height: int) -> bytes:
    """A picture that compresses badly: random pixels, as PNG (about 3 bytes a pixel)."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


@pytest.mark.one_pass
def test_a_picture_that_fits_goes_as_it_is():
    card = _noise_png(64, 36)
    fitted = pictures.fit(card, 1_000_000)
    assert fitted is not None
    assert fitted.data is card and fitted.content_type == "image/png"
    assert (fitted.width, fitted.height) == (64, 36)


@pytest.mark.one_pass
def test_a_big_picture_is_re_encoded_and_scaled_until_it_fits():
    big = _noise_png(1600, 900)
    assert len(big) > 4_000_000
    fitted = pictures.fit(big, 300_000)
    assert fitted is not None and len(fitted.data) <= 300_000
    assert fitted.content_type == "image/jpeg"
    with Image.open(io.BytesIO(fitted.data)) as image:
        assert image.format == "JPEG" and image.size == (fitted.width, fitted.height)
    assert fitted.width < 1600 and fitted.width / fitted.height == pytest.approx(16 / 9, 0.01)


@pytest.mark.one_pass
def test_a_picture_with_more_pixels_than_the_network_takes_is_scaled_to_its_limit():
    card = _noise_png(1000, 800)  # small enough in bytes, too many pixels
    fitted = pictures.fit(card, 10_000_000, max_pixels=400_000)
    assert fitted is not None and fitted.width * fitted.height <= 400_000
    assert fitted.width * fitted.height > 390_000  # scaled to the limit, not far below it
    assert fitted.width / fitted.height == pytest.approx(1000 / 800, 0.01)
    with Image.open(io.BytesIO(fitted.data)) as image:
        assert image.size == (fitted.width, fitted.height)
    assert pictures.fit(card, 10_000_000, max_pixels=800_000).data is card


@pytest.mark.one_pass
def test_what_cannot_be_made_small_enough_or_is_no_picture_gives_none():
    assert pictures.fit(_noise_png(400, 225), 2_000) is None
    assert pictures.fit(b"not a picture at all" * 100, 100) is None


@pytest.mark.django_db
def test_an_oversized_share_picture_reaches_bluesky_and_x_within_their_limits(nets, monkeypatch):
    big = _noise_png(2400, 1350)  # about 9.7 MB: over Bluesky's 2 MB and X's 5 MB
    assert len(big) > 5 * 1024 * 1024
    monkeypatch.setattr(texts, "card_picture", lambda meeting, language: big)
    meeting = MeetingFactory(starts_at=NOW + timedelta(days=2))
    helpers.connected("bluesky", nets, now=NOW)
    helpers.connected("x", nets, now=NOW)
    tick(now=NOW)

    posts = Post.objects.filter(meeting=meeting, kind=Kind.PUBLISHED)
    assert {p.account.network: p.status for p in posts} == {
        "bluesky": Post.Status.SENT,
        "x": Post.Status.SENT,
    }
    (sent_to_bluesky,) = nets["bluesky"].uploaded
    assert 100_000 < len(sent_to_bluesky) <= 2_000_000
    record = next(iter(nets["bluesky"].records.values()))
    image = record["embed"]["images"][0]
    assert image["image"]["mimeType"] == "image/jpeg"
    with Image.open(io.BytesIO(sent_to_bluesky)) as picture:
        ratio = image["aspectRatio"]
        assert picture.size == (ratio["width"], ratio["height"])
    (on_x,) = nets["x"].media.values()
    assert 100_000 < on_x["bytes"] <= 5 * 1024 * 1024
    assert on_x["data"][:3] == b"\xff\xd8\xff"  # a JPEG
    for post in posts:
        logged = [event.what for event in post.events.all()]
        assert any("made smaller for the network" in what for what in logged), logged


@pytest.mark.django_db
def test_a_mastodon_server_that_takes_smaller_pictures_gets_them_within_its_own_limit(
    nets, monkeypatch
):
    nets["mastodon"].configuration["media_attachments"]["image_size_limit"] = 1_000_000
    big = _noise_png(1600, 900)  # about 4.3 MB: fine for Mastodon's default 16 MB
    monkeypatch.setattr(texts, "card_picture", lambda meeting, language: big)
    meeting = MeetingFactory(starts_at=NOW + timedelta(days=2))
    account = helpers.connected("mastodon", nets, now=NOW)
    assert account.server_limits["media_attachments"]["image_size_limit"] == 1_000_000
    tick(now=NOW)

    post = Post.objects.get(meeting=meeting, kind=Kind.PUBLISHED)
    assert post.status == Post.Status.SENT, post.reason
    (media,) = nets["mastodon"].media.values()
    assert 100_000 < media["bytes"] <= 1_000_000
