"""Proof of work and video links: pure modules, no database."""

from samskab.comments import pow
from samskab.comments.embeds import video_links


def test_leading_zero_bits_counts_bits_not_bytes():
    assert pow.leading_zero_bits(bytes([0, 0b00010000])) == 11
    assert pow.leading_zero_bits(bytes([0xFF])) == 0


def test_a_solved_challenge_is_accepted_and_another_nonce_is_not():
    nonce = pow.solve("abc", 10)
    assert pow.is_solution("abc", nonce, 10)
    assert not pow.is_solution("abd", nonce, 30)
    assert not pow.is_solution("abc", "", 0)
    assert not pow.is_solution("abc", "9" * 40, 0)


def test_youtube_and_vimeo_links_are_found_and_turned_into_privacy_friendly_embeds():
    links = video_links(
        "Se https://www.youtube.com/watch?v=dQw4w9WgXcQ og https://vimeo.com/123456 "
        "og igen https://youtu.be/dQw4w9WgXcQ"
    )
    assert [(v.provider, v.video_id) for v in links] == [
        ("youtube", "dQw4w9WgXcQ"),
        ("vimeo", "123456"),
    ]
    assert links[0].embed_url.startswith("https://www.youtube-nocookie.com/embed/")
    assert "dnt=1" in links[1].embed_url


def test_other_links_are_not_videos():
    assert video_links("https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ") == []
    assert video_links("javascript:alert(1)") == []


def test_a_link_to_one_of_our_meetings_is_our_own_clip_at_its_moment():
    from samskab.comments.embeds import video_links

    text = "Se her https://samskab.kommune.dk/moeder/42/?t=300 og https://andet.dk/moeder/7/"
    [clip] = video_links(text, own_host="samskab.kommune.dk")
    assert (clip.provider, clip.video_id, clip.start) == ("clip", "42", 300)
    assert clip.is_own and clip.embed_url == "/moeder/42/embed/?t=300"
    assert video_links(text) == []
