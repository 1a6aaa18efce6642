"""WebVTT: chapters and metadata tracks out, uploaded captions in (no database)."""

import json

from samskab.webcasts import vtt
from samskab.webcasts.vtt import (
    Chapter,
    MetadataCue,
    chapters_vtt,
    format_timestamp,
    metadata_vtt,
    parse,
    parse_timestamp,
)

GOOD = """\ufeffWEBVTT - Byrådsmøde

NOTE made by hand
over two lines

STYLE
::cue { color: yellow }

1
00:00:01.000 --> 00:00:04.500 align:start
<v Anna Hansen>Velkommen til <b>mødet</b> &amp; god aften.</v>

00:05.000 --> 00:07.000
Punkt 1: Skolestruktur

01:00:00.000 --> 01:00:02.000
Sidste ord
"""


def test_timestamps_are_written_with_hours_and_milliseconds():
    assert format_timestamp(0) == "00:00:00.000"
    assert format_timestamp(3_723_004) == "01:02:03.004"


def test_timestamps_are_read_with_or_without_hours():
    assert parse_timestamp("01:02:03.004") == 3_723_004
    assert parse_timestamp("02:03.004") == 123_004
    assert parse_timestamp("1:02.000") is None
    assert parse_timestamp("00:61:00.000") is None


def test_the_chapters_track_has_one_cue_per_segment_with_escaped_titles():
    track = chapters_vtt(
        [
            Chapter(0, 60_000, "1. Godkendelse af dagsorden"),
            Chapter(60_000, 90_500, "2. A <b> & -->"),
        ]
    )
    assert track.startswith("WEBVTT\n\n")
    assert "00:00:00.000 --> 00:01:00.000\n1. Godkendelse af dagsorden" in track
    assert "00:01:00.000 --> 00:01:30.500\n2. A &lt;b&gt; &amp; --&gt;" in track
    # What we write, we read back without a problem.
    parsed = parse(track)
    assert parsed.ok and len(parsed.cues) == 2


def test_a_chapter_that_would_end_before_it_starts_still_makes_a_valid_cue():
    assert parse(chapters_vtt([Chapter(5000, 5000, "Kort")])).ok


def test_the_metadata_track_carries_one_line_of_json_per_turn():
    track = metadata_vtt(
        [MetadataCue(1000, 2000, {"person": 7, "name": "Anna --> <x>", "item": 3})]
    )
    parsed = parse(track)
    assert parsed.ok
    (cue,) = parsed.cues
    assert "\n" not in cue.text and "-->" not in cue.text
    assert json.loads(cue.text) == {"person": 7, "name": "Anna --> <x>", "item": 3}


def test_a_good_file_is_read_with_its_cues_and_plain_text():
    parsed = parse(GOOD.encode())
    assert parsed.ok, parsed.problems
    assert [(cue.line, cue.start_ms, cue.end_ms) for cue in parsed.cues] == [
        (10, 1000, 4500),
        (13, 5000, 7000),
        (16, 3_600_000, 3_602_000),
    ]
    assert parsed.text.splitlines() == [
        "Velkommen til mødet & god aften.",
        "Punkt 1: Skolestruktur",
        "Sidste ord",
    ]


def test_windows_line_endings_are_fine():
    assert parse(GOOD.replace("\n", "\r\n")).ok


def test_a_file_without_the_webvtt_line_is_refused():
    parsed = parse("1\n00:00:01.000 --> 00:00:02.000\nHej\n")
    assert not parsed.ok
    assert parsed.problems[0].line == 1
    assert "WEBVTT" in parsed.problems[0].message


def test_broken_cues_are_reported_with_their_line_numbers():
    text = (
        "WEBVTT\n"  # 1
        "\n"
        "00:00:01.000 --> 00:00:02.000\n"  # 3
        "God\n"
        "\n"
        "00:00:05,000 --> 00:00:06.000\n"  # 6: a comma, as in SubRip
        "Komma\n"
        "\n"
        "00:00:09.000 --> 00:00:08.000\n"  # 9: ends before it starts
        "Baglæns\n"
        "\n"
        "Bare tekst uden tid\n"  # 12: no timing line
        "\n"
        "00:00:00.500 --> 00:00:00.900\n"  # 14: out of order
        "For tidligt\n"
        "\n"
        "00:00:20.000 --> 00:00:21.000\n"  # 17
        "Mangler tom linje\n"
        "00:00:22.000 --> 00:00:23.000\n"  # 19: inside the cue above
    )
    parsed = parse(text)
    assert [problem.line for problem in parsed.problems] == [6, 9, 12, 14, 19]
    assert "00:00:05,000" in parsed.problems[0].message
    assert "before" in parsed.problems[1].message
    assert "timing line" in parsed.problems[2].message
    assert "time order" in parsed.problems[3].message
    assert [cue.line for cue in parsed.cues] == [3]


def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    parsed = parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nGr\u00f8d\n".encode("latin-1"))
    assert not parsed.ok
    assert parsed.problems[0].line == 4
    assert "UTF-8" in parsed.problems[0].message


def test_a_binary_file_is_refused():
    assert not parse(b"WEBVTT\n\x00\x01\x02").ok


def test_only_the_first_twenty_problems_are_listed():
    text = "WEBVTT\n\n" + "".join(f"bad{n}\nline\n\n" for n in range(30))
    parsed = parse(text)
    assert len(parsed.problems) == 20
    assert parsed.more_problems == 10


def test_redacting_drops_the_cues_touching_the_range_and_moves_the_later_ones_back():
    text = (
        "WEBVTT\n\nNOTE kept\n\n00:00:01.000 --> 00:00:02.000\nbefore\n\n"
        "00:00:02.500 --> 00:00:03.500\ntouches the start\n\n"
        "later\n00:01:10.000 --> 00:01:12.000\tline:0\nafter <i>it</i>\n"
    )
    cut = vtt.redact(text, start_ms=3000, end_ms=63000, cut=True)
    assert "touches the start" not in cut and "NOTE kept" in cut
    assert "later\n00:00:10.000 --> 00:00:12.000 line:0\nafter <i>it</i>" in cut
    assert [c.start_ms for c in vtt.parse(cut).cues] == [1000, 10000]
    black = vtt.redact(text, start_ms=3000, end_ms=63000, cut=False)
    assert [c.start_ms for c in vtt.parse(black).cues] == [1000, 70000]
