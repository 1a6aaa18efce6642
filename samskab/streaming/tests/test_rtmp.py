"""The RTMP front's parsers, byte by byte (no network)."""

import struct

import pytest

from samskab.streaming import rtmp
from samskab.streaming.rtmp import ChunkReader, Message


def test_amf0_round_trips_what_encoders_send():
    values = ["connect", 1.0, {"app": "live", "tcUrl": "rtmp://x/live", "fpad": False}, None]
    assert rtmp.amf0_decode_all(rtmp.amf0_encode(*values)) == values


def test_amf0_reads_an_ecma_array_and_a_strict_array():
    ecma = b"\x08" + struct.pack(">I", 1) + b"\x00\x05width" + b"\x00" + struct.pack(">d", 640)
    ecma += b"\x00\x00\x09"
    strict = b"\x0a" + struct.pack(">I", 2) + rtmp.amf0_encode(1, "a")
    assert rtmp.amf0_decode_all(ecma + strict) == [{"width": 640.0}, [1.0, "a"]]


def test_amf0_refuses_a_cut_value():
    with pytest.raises(rtmp.RtmpError):
        rtmp.amf0_decode(rtmp.amf0_encode("publish")[:-2])


def test_a_message_split_into_chunks_comes_back_whole():
    payload = bytes(range(256)) * 3  # 768 bytes: six 128-byte chunks
    message = Message(rtmp.VIDEO, 1, 1234, payload)
    data = rtmp.chunk_message(message, csid=6)
    reader = ChunkReader()
    assert reader.feed(data) == [message]


def test_chunks_may_arrive_a_byte_at_a_time():
    message = Message(rtmp.AUDIO, 1, 40, b"\xaf\x01" + b"x" * 300)
    reader = ChunkReader()
    received = []
    for byte in rtmp.chunk_message(message, csid=4):
        received += reader.feed(bytes([byte]))
    assert received == [message]


def test_set_chunk_size_applies_to_the_chunks_after_it():
    reader = ChunkReader()
    size = Message(rtmp.SET_CHUNK_SIZE, 0, 0, (4096).to_bytes(4, "big"))
    big = Message(rtmp.VIDEO, 1, 0, b"v" * 3000)
    data = rtmp.chunk_message(size, csid=2) + rtmp.chunk_message(big, csid=6, chunk_size=4096)
    assert reader.feed(data) == [big]
    assert reader.chunk_size == 4096


def test_type_1_2_and_3_headers_add_timestamp_deltas():
    reader = ChunkReader()
    first = rtmp.chunk_message(Message(rtmp.AUDIO, 1, 1000, b"ab"), csid=4)
    # fmt 1: delta 23, length 2, type audio; fmt 2: delta 20; fmt 3: repeats delta 20.
    fmt1 = bytes([0x40 | 4]) + (23).to_bytes(3, "big") + (2).to_bytes(3, "big") + b"\x08cd"
    fmt2 = bytes([0x80 | 4]) + (20).to_bytes(3, "big") + b"ef"
    fmt3 = bytes([0xC0 | 4]) + b"gh"
    stamps = [m.timestamp for m in reader.feed(first + fmt1 + fmt2 + fmt3)]
    assert stamps == [1000, 1023, 1043, 1063]


def test_extended_timestamps_are_read():
    message = Message(rtmp.VIDEO, 1, 0x01000000 + 5, b"z" * 200)
    assert ChunkReader().feed(rtmp.chunk_message(message, csid=6)) == [message]


def test_a_chunk_stream_cannot_start_without_a_full_header():
    with pytest.raises(rtmp.RtmpError):
        ChunkReader().feed(bytes([0xC0 | 5]) + b"xx")


def test_an_oversized_message_is_refused():
    header = bytes([6]) + b"\x00\x00\x00" + (0xFFFFFF).to_bytes(3, "big") + b"\x09" + bytes(4)
    with pytest.raises(rtmp.RtmpError):
        ChunkReader().feed(header + b"x")


def test_set_data_frame_is_dropped_from_metadata():
    payload = rtmp.amf0_encode("@setDataFrame", "onMetaData", {"width": 640})
    assert rtmp.amf0_decode_all(rtmp.script_payload(payload)) == ["onMetaData", {"width": 640}]


def test_keyframes_and_sequence_headers_are_recognised():
    assert rtmp.is_video_keyframe(b"\x17\x01")
    assert not rtmp.is_video_keyframe(b"\x27\x01")
    assert rtmp.is_sequence_header(rtmp.VIDEO, b"\x17\x00")
    assert rtmp.is_sequence_header(rtmp.AUDIO, b"\xaf\x00")
    assert not rtmp.is_sequence_header(rtmp.AUDIO, b"\xaf\x01")
    assert rtmp.is_sequence_header(rtmp.VIDEO, b"\x90hvc1")  # enhanced RTMP, SequenceStart


def test_flv_tags_carry_their_size_and_timestamp():
    tag = rtmp.flv_tag(rtmp.VIDEO, 0x12345678, b"abc")
    assert tag[0] == rtmp.VIDEO
    assert int.from_bytes(tag[1:4], "big") == 3
    assert tag[4:7] == bytes.fromhex("345678") and tag[7] == 0x12
    assert int.from_bytes(tag[-4:], "big") == 11 + 3
