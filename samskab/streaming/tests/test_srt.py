"""SRT handshakes read from bytes, FLV read back in pieces, the listener's command line and
the ports handed out to near meetings."""

import asyncio
import socket
import struct
from datetime import timedelta

import pytest
from django.utils import timezone

from samskab.media import commands
from samskab.streaming import services, srt
from samskab.streaming.models import MeetingStream
from samskab.streaming.rtmp import AUDIO, FLV_HEADER, VIDEO, flv_tag
from samskab.webcasts.models import Meeting
from samskab.webcasts.tests.factories import MeetingFactory


def handshake(kind: int, *, stream_id: str | None = None, control: bool = True) -> bytes:
    """An SRT handshake packet as the specification lays it out."""
    first = 0x8000 if control else 0x0000
    header = struct.pack(">HHIII", first | srt.HANDSHAKE, 0, 0, 1234, 0)
    body = struct.pack(">IHHIIIiII", 5, 0, 0, 77, 1500, 8192, kind, 42, 99) + bytes(16)
    extensions = b""
    if stream_id is not None:
        raw = stream_id.encode()
        raw += b"\x00" * (-len(raw) % 4)
        swapped = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
        extensions += struct.pack(">HH", 1, 3) + bytes(12)  # a handshake request extension
        extensions += struct.pack(">HH", srt.EXTENSION_SID, len(swapped) // 4) + swapped
    return header + body + extensions


def test_a_conclusion_carries_the_stream_id_word_swapped():
    parsed = srt.parse_handshake(handshake(srt.CONCLUSION, stream_id="chamber-1"))
    assert parsed == srt.Handshake(srt.CONCLUSION, "chamber-1")
    assert not parsed.rejected


def test_a_rejection_names_its_reason():
    wrong = srt.parse_handshake(handshake(1010))
    assert wrong.rejected and wrong.reason == "wrong passphrase"
    assert srt.parse_handshake(handshake(1011)).reason.startswith("no passphrase")
    assert srt.parse_handshake(handshake(1099)).reason == "refused (SRT reason 99)"
    assert not srt.parse_handshake(handshake(srt.INDUCTION)).rejected


def test_media_and_short_packets_are_not_handshakes():
    assert srt.parse_handshake(handshake(srt.CONCLUSION, control=False)) is None
    assert srt.parse_handshake(handshake(srt.CONCLUSION)[:40]) is None
    shutdown = struct.pack(">HHIII", 0x8000 | srt.SHUTDOWN, 0, 0, 0, 0)
    assert srt.parse_handshake(shutdown + bytes(64)) is None
    assert srt.is_shutdown(shutdown)
    assert not srt.is_shutdown(handshake(srt.CONCLUSION))


def test_flv_is_read_back_tag_by_tag_whatever_the_pieces():
    stream = FLV_HEADER + flv_tag(VIDEO, 0, b"\x17\x00abc") + flv_tag(AUDIO, 0x01020304, b"\xaf")
    for size in (1, 7, len(stream)):
        reader = srt.FlvReader()
        tags = []
        for start in range(0, len(stream), size):
            tags += reader.feed(stream[start : start + size])
        assert [(t.type_id, t.timestamp, t.payload) for t in tags] == [
            (VIDEO, 0, b"\x17\x00abc"),
            (AUDIO, 0x01020304, b"\xaf"),
        ]
    with pytest.raises(srt.FlvError):
        srt.FlvReader().feed(b"GIF89a" + bytes(20))


def test_the_listener_checks_the_passphrase_and_copies_to_flv():
    args = commands.srt_listen_command(port=9100, passphrase="k" * 32, latency_ms=2000)
    assert args[args.index("-passphrase") + 1] == "k" * 32
    assert args[args.index("-mode") + 1] == "listener"
    assert args[args.index("-enforced_encryption") + 1] == "1"
    assert args[args.index("-latency") + 1] == "2000000"
    assert args[args.index("-i") + 1] == "srt://127.0.0.1:9100"
    assert args[-3:] == ["-flvflags", "no_duration_filesize", "pipe:1"]
    assert "copy" in args and "libx264" not in args
    for bad in ("short", "x" * 80, "with space 123", "blåbærgrød12"):
        assert not commands.srt_passphrase_ok(bad)
        with pytest.raises(ValueError):
            commands.srt_listen_command(port=9100, passphrase=bad)


@pytest.mark.django_db
def test_near_meetings_get_ports_and_keep_them():
    now = timezone.now()
    soon = MeetingFactory(starts_at=now + timedelta(hours=1))
    today = MeetingFactory(starts_at=now - timedelta(hours=2))
    live = MeetingFactory(starts_at=now - timedelta(days=2), status=Meeting.Status.LIVE)
    later = MeetingFactory(starts_at=now + timedelta(days=3))
    cancelled = MeetingFactory(starts_at=now, status=Meeting.Status.CANCELLED)
    odd = MeetingFactory(starts_at=now)
    for meeting in (soon, today, live, later, cancelled):
        services.stream_key_ensure(meeting=meeting)
    services.stream_key_rotate(meeting=odd, key="too short")  # cannot be a passphrase

    ports = services.srt_ports_assign(first=9000, count=2, now=now)
    # Two ports for three near meetings: the earliest starts get them.
    assert {meeting: port for meeting, (port, _key) in ports.items()} == {
        live.pk: 9000,
        today.pk: 9001,
    }
    assert ports[live.pk][1] == MeetingStream.objects.get(meeting=live).key

    # The live meeting ends: its port goes to the next meeting; today's keeps its own.
    Meeting.objects.filter(pk=live.pk).update(status=Meeting.Status.ENDED)
    ports = services.srt_ports_assign(first=9000, count=2, now=now)
    assert {m: p for m, (p, _k) in ports.items()} == {today.pk: 9001, soon.pk: 9000}
    assert MeetingStream.objects.get(meeting=live).srt_port is None

    # A meeting still being received keeps its port whatever its status says.
    MeetingStream.objects.filter(meeting=today).update(publishing_since=now)
    Meeting.objects.filter(pk=today.pk).update(status=Meeting.Status.ENDED)
    ports = services.srt_ports_assign(first=9000, count=2, now=now)
    assert ports[today.pk][0] == 9001


def test_the_relay_passes_datagrams_both_ways_and_reports_a_refusal_with_the_address():
    async def scenario():
        loop = asyncio.get_running_loop()
        received: list[bytes] = []

        class Listener(asyncio.DatagramProtocol):  # stands in for ffmpeg's SRT listener
            def connection_made(self, transport):
                self.transport = transport

            def datagram_received(self, data, addr):
                received.append(data)
                wrong = srt.parse_handshake(data).stream_id == "wrong"
                kind = 1010 if wrong else srt.CONCLUSION
                self.transport.sendto(handshake(kind), addr)

        backend, _ = await loop.create_datagram_endpoint(Listener, local_addr=("127.0.0.1", 0))
        refused, accepted = [], []
        relay = await srt.relay(
            "127.0.0.1",
            0,
            backend.get_extra_info("sockname")[1],
            on_refused=lambda peer, reason: refused.append((peer, reason)),
            on_accepted=lambda peer, stream_id: accepted.append((peer, stream_id)),
        )
        port = relay.transport.get_extra_info("sockname")[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as encoder:
            encoder.bind(("127.0.0.1", 0))
            encoder.setblocking(False)
            me = f"127.0.0.1:{encoder.getsockname()[1]}"
            encoder.sendto(handshake(srt.CONCLUSION, stream_id="wrong"), ("127.0.0.1", port))
            answer = await asyncio.wait_for(loop.sock_recv(encoder, 2048), 5)
            assert srt.parse_handshake(answer).reason == "wrong passphrase"
            assert refused == [(me, "wrong passphrase")]
            encoder.sendto(handshake(srt.CONCLUSION, stream_id="room"), ("127.0.0.1", port))
            await asyncio.wait_for(loop.sock_recv(encoder, 2048), 5)
            assert accepted == [(me, "room")]
        assert len(received) == 2 and len(relay.flows) == 1
        relay.close()
        backend.close()

    asyncio.run(scenario())
