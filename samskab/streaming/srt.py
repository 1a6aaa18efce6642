"""SRT for `samskab ingest`: a UDP relay in front of ffmpeg's SRT listener, and an FLV reader.

Why this shape: ffmpeg's SRT listener (libsrt) checks the passphrase itself, in the
handshake, and refuses a wrong or missing one before any media flows; but it has one
passphrase per listening socket, cannot be asked who called, and does not log the caller's
address. So each meeting that is near gets its own public UDP port (from the range given
to `samskab ingest --srt-port`), with the meeting's stream key as the passphrase:

    encoder --SRT--> our port P (Relay, this module) --UDP--> ffmpeg srt listener on loopback
                                                                 | FLV on stdout, copied
                                                                 v
                                               FlvReader -> the RTMP path's fan-out

The relay forwards datagrams unchanged both ways, one loopback socket per encoder address,
and reads only the handshake packets: a rejection (wrong passphrase, none) is reported with
the encoder's address, an accepted conclusion likewise. SRT's encryption stays end to end
between the encoder and ffmpeg; the relay never sees the passphrase.

Why not the stream id: it travels in clear in the handshake, so a key in it could be read
off the network, and ffmpeg could not check it per connection anyway. The passphrase never
travels; it derives the AES key (PBKDF2), so a wrong one is refused and the feed is
encrypted.

Pure Python, no Django: the parsers are tested with bytes, the relay with real ffmpeg.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from samskab.streaming.rtmp import AUDIO, DATA_AMF0, VIDEO, Tag

logger = logging.getLogger(__name__)

# SRT packet layout (draft-sharabayko-srt, section 3.2): a control packet has the top bit
# set; its type is the next 15 bits; the handshake's content starts after 16 bytes.
CONTROL_BIT = 0x80
HANDSHAKE = 0x0000
SHUTDOWN = 0x0005
HEADER_SIZE = 16
HANDSHAKE_SIZE = 48  # version ... peer IP address
TYPE_OFFSET = HEADER_SIZE + 20
CONCLUSION = -1  # handshake types, as signed 32-bit numbers
INDUCTION = 1
REJECTION_BASE = 1000  # a responder's rejection: 1000 + the reason code
EXTENSION_SID = 5  # the stream id extension

# Reason codes (srt.h, SRT_REJ_*) an encoder meets in practice, in words for the log.
REJECTIONS = {
    1: "system error",
    2: "peer rejected",
    3: "resources",
    4: "rogue handshake",
    5: "backlog full",
    6: "internal error",
    7: "socket closed",
    8: "SRT version too old",
    9: "rendezvous cookie collision",
    10: "wrong passphrase",
    11: "no passphrase (this server requires one)",
    12: "message API mismatch",
    13: "congestion control mismatch",
    14: "packet filter mismatch",
    15: "group mismatch",
    16: "timeout",
    17: "crypto mode mismatch",
}


@dataclass(frozen=True)
class Handshake:
    kind: int  # INDUCTION, CONCLUSION, ... or REJECTION_BASE + reason
    stream_id: str | None = None

    @property
    def rejected(self) -> bool:
        return self.kind >= REJECTION_BASE

    @property
    def reason(self) -> str:
        code = self.kind - REJECTION_BASE
        return REJECTIONS.get(code, f"refused (SRT reason {code})")


def parse_handshake(packet: bytes) -> Handshake | None:
    """The handshake in an SRT datagram, or None for any other packet (media, ACK, ...)."""
    if len(packet) < HEADER_SIZE + HANDSHAKE_SIZE or not packet[0] & CONTROL_BIT:
        return None
    if struct.unpack_from(">H", packet, 0)[0] & 0x7FFF != HANDSHAKE:
        return None
    (kind,) = struct.unpack_from(">i", packet, TYPE_OFFSET)
    return Handshake(kind, _stream_id(packet) if kind == CONCLUSION else None)


def _stream_id(packet: bytes) -> str | None:
    position = HEADER_SIZE + HANDSHAKE_SIZE
    while position + 4 <= len(packet):
        extension, words = struct.unpack_from(">HH", packet, position)
        content = packet[position + 4 : position + 4 + words * 4]
        if extension == EXTENSION_SID:
            # Each 32-bit word carries four characters in little-endian order.
            text = b"".join(content[i : i + 4][::-1] for i in range(0, len(content), 4))
            return text.rstrip(b"\x00").decode("utf-8", "replace")
        position += 4 + words * 4
    return None


def is_shutdown(packet: bytes) -> bool:
    return (
        len(packet) >= HEADER_SIZE
        and bool(packet[0] & CONTROL_BIT)
        and struct.unpack_from(">H", packet, 0)[0] & 0x7FFF == SHUTDOWN
    )


# --- FLV from ffmpeg's stdout -----------------------------------------------------------


class FlvError(Exception):
    pass


class FlvReader:
    """Tags from an FLV byte stream fed in pieces (the header first, then tags)."""

    HEADER = 9 + 4  # "FLV", version, flags, header size; PreviousTagSize0

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.header_done = False

    def feed(self, data: bytes) -> list[Tag]:
        self.buffer += data
        tags: list[Tag] = []
        if not self.header_done:
            if len(self.buffer) < self.HEADER:
                return tags
            if bytes(self.buffer[:3]) != b"FLV":
                raise FlvError("not FLV")
            del self.buffer[: self.HEADER]
            self.header_done = True
        while len(self.buffer) >= 11:
            type_id = self.buffer[0] & 0x1F
            size = int.from_bytes(self.buffer[1:4], "big")
            end = 11 + size + 4
            if len(self.buffer) < end:
                break
            timestamp = int.from_bytes(self.buffer[4:7], "big") | (self.buffer[7] << 24)
            payload = bytes(self.buffer[11 : 11 + size])
            del self.buffer[:end]
            if type_id in (AUDIO, VIDEO, DATA_AMF0):
                tags.append(Tag(type_id, timestamp, payload))
        return tags


# --- The relay --------------------------------------------------------------------------

# on_refused(encoder address, reason); on_accepted(encoder address, stream id or None)
OnRefused = Callable[[str, str], None]
OnAccepted = Callable[[str, str | None], None]


class _Backend(asyncio.DatagramProtocol):
    """One encoder's loopback socket towards ffmpeg; what ffmpeg answers goes back."""

    def __init__(self, relay: Relay, peer: tuple[str, int]) -> None:
        self.relay = relay
        self.peer = peer
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: list[bytes] = []
        self.last_seen = time.monotonic()
        self.stream_id: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport = cast(asyncio.DatagramTransport, transport)
        for data in self.pending:
            transport.sendto(data)
        self.pending.clear()

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        self.last_seen = time.monotonic()
        handshake = parse_handshake(data)
        if handshake is not None:
            self.relay.answered(self.peer, handshake, self.stream_id)
        if self.relay.transport is not None:
            self.relay.transport.sendto(data, self.peer)

    def send(self, data: bytes) -> None:
        self.last_seen = time.monotonic()
        if self.transport is None:
            self.pending.append(data)
        else:
            self.transport.sendto(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Relay(asyncio.DatagramProtocol):
    """A public UDP port relayed to ffmpeg's SRT listener on 127.0.0.1:backend_port."""

    IDLE_S = 30.0  # a flow that carried nothing this long is dropped
    MAX_FLOWS = 64  # encoders (or anyone) knocking at once; more push out the quietest

    def __init__(
        self, backend_port: int, *, on_refused: OnRefused, on_accepted: OnAccepted
    ) -> None:
        self.backend_port = backend_port
        self.on_refused = on_refused
        self.on_accepted = on_accepted
        self.transport: asyncio.DatagramTransport | None = None
        self.flows: dict[tuple[str, int], _Backend] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._opening: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        peer = (str(addr[0]), int(addr[1]))
        flow = self.flows.get(peer)
        if flow is None:
            if len(self.flows) >= self.MAX_FLOWS:
                # Full (someone knocking from many addresses): the quietest flow makes way,
                # never a working encoder, which sends all the time.
                quietest = min(self.flows, key=lambda key: self.flows[key].last_seen)
                self.flows.pop(quietest).close()
            flow = self.flows[peer] = _Backend(self, peer)
            task = asyncio.get_running_loop().create_task(self._open(flow))
            self._opening.add(task)
            task.add_done_callback(self._opening.discard)
        handshake = parse_handshake(data)
        if handshake is not None and handshake.kind == CONCLUSION and handshake.stream_id:
            flow.stream_id = handshake.stream_id
        flow.send(data)
        if is_shutdown(data):
            self._forget(peer)

    async def _open(self, flow: _Backend) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.create_datagram_endpoint(
                lambda: flow, remote_addr=("127.0.0.1", self.backend_port)
            )
        except OSError:
            logger.exception("SRT relay: no socket for %s", flow.peer)
            self.flows.pop(flow.peer, None)

    def answered(self, peer: tuple[str, int], handshake: Handshake, stream_id: str | None) -> None:
        address = f"{peer[0]}:{peer[1]}"
        try:
            if handshake.rejected:
                self.on_refused(address, handshake.reason)
            elif handshake.kind == CONCLUSION:
                self.on_accepted(address, stream_id)
        except Exception:  # a broken report must not stop the relay
            logger.exception("SRT relay: reporting a handshake failed")

    def _forget(self, peer: tuple[str, int]) -> None:
        flow = self.flows.pop(peer, None)
        if flow is not None:
            # Let the shutdown reach ffmpeg before the socket closes.
            asyncio.get_running_loop().call_later(0.5, flow.close)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(5)
            now = time.monotonic()
            for peer, flow in list(self.flows.items()):
                if now - flow.last_seen > self.IDLE_S:
                    self.flows.pop(peer, None)
                    flow.close()

    def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        for flow in self.flows.values():
            flow.close()
        self.flows.clear()
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        with contextlib.suppress(RuntimeError):
            if self._sweeper is not None:
                self._sweeper.cancel()


async def relay(
    host: str, port: int, backend_port: int, *, on_refused: OnRefused, on_accepted: OnAccepted
) -> Relay:
    """Start relaying host:port (UDP) to ffmpeg's listener on 127.0.0.1:backend_port."""
    loop = asyncio.get_running_loop()
    protocol = Relay(backend_port, on_refused=on_refused, on_accepted=on_accepted)
    await loop.create_datagram_endpoint(lambda: protocol, local_addr=(host, port))
    return protocol
