"""A small RTMP server for encoders that publish (OBS, vMix, hardware encoders, ffmpeg).

ffmpeg's own RTMP listen mode accepts any stream name, so Samskab answers the encoder itself:
the simple (non-digest) handshake, chunk stream parsing, the AMF0 commands of a publisher
(connect, releaseStream, FCPublish, createStream, publish) and the replies an encoder waits
for. The stream name is checked by a callback before "NetStream.Publish.Start"; a refused
name gets an error status and the connection is closed. Audio, video and metadata messages
are handed on as FLV tags, which ffmpeg reads on stdin (`-f flv -i pipe:0`).

Pure Python, no Django: the parsers are tested with bytes, the server with real ffmpeg.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

HANDSHAKE_SIZE = 1536
DEFAULT_CHUNK_SIZE = 128
OUR_CHUNK_SIZE = 4096
WINDOW_ACK_SIZE = 2_500_000
MAX_MESSAGE_SIZE = 8 * 1024 * 1024  # a video frame larger than this is not an encoder's

# Message types (RTMP specification, section 5.4 and 7.1).
SET_CHUNK_SIZE = 1
ABORT = 2
ACKNOWLEDGEMENT = 3
USER_CONTROL = 4
WINDOW_ACK = 5
SET_PEER_BANDWIDTH = 6
AUDIO = 8
VIDEO = 9
DATA_AMF3 = 15
COMMAND_AMF3 = 17
DATA_AMF0 = 18
COMMAND_AMF0 = 20

# FLV tag types are the RTMP message types for audio, video and script data.
FLV_HEADER = b"FLV\x01\x05\x00\x00\x00\x09" + b"\x00\x00\x00\x00"


class RtmpError(Exception):
    """The peer broke the protocol; the connection is closed."""


# --- AMF0 -------------------------------------------------------------------------------


class AmfUndefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = AmfUndefined()


def amf0_decode(data: bytes, position: int = 0) -> tuple[Any, int]:
    """One AMF0 value from `data` at `position`; returns the value and the next position."""
    try:
        marker = data[position]
    except IndexError as error:
        raise RtmpError("AMF0 value missing") from error
    position += 1
    if marker == 0x00:  # number
        _check(data, position, 8)
        return struct.unpack_from(">d", data, position)[0], position + 8
    if marker == 0x01:  # boolean
        _check(data, position, 1)
        return data[position] != 0, position + 1
    if marker == 0x02:  # string
        return _amf0_string(data, position)
    if marker in (0x03, 0x08):  # object, ECMA array (with a count we need not trust)
        if marker == 0x08:
            _check(data, position, 4)
            position += 4
        result: dict[str, Any] = {}
        while True:
            key, position = _amf0_string(data, position)
            _check(data, position, 1)
            if key == "" and data[position] == 0x09:
                return result, position + 1
            result[key], position = amf0_decode(data, position)
    if marker == 0x05:  # null
        return None, position
    if marker == 0x06:  # undefined
        return UNDEFINED, position
    if marker == 0x0A:  # strict array
        _check(data, position, 4)
        (count,) = struct.unpack_from(">I", data, position)
        position += 4
        items = []
        for _index in range(count):
            item, position = amf0_decode(data, position)
            items.append(item)
        return items, position
    if marker == 0x0B:  # date: milliseconds and a time zone nobody uses
        _check(data, position, 10)
        return struct.unpack_from(">d", data, position)[0], position + 10
    if marker == 0x0C:  # long string
        _check(data, position, 4)
        (length,) = struct.unpack_from(">I", data, position)
        _check(data, position + 4, length)
        text = data[position + 4 : position + 4 + length].decode("utf-8", "replace")
        return text, position + 4 + length
    raise RtmpError(f"AMF0 marker {marker:#x} not supported")


def amf0_decode_all(data: bytes) -> list[Any]:
    values = []
    position = 0
    while position < len(data):
        value, position = amf0_decode(data, position)
        values.append(value)
    return values


def amf0_encode(*values: Any) -> bytes:
    out = bytearray()
    for value in values:
        _amf0_encode_one(value, out)
    return bytes(out)


def _amf0_encode_one(value: Any, out: bytearray) -> None:
    if value is None:
        out.append(0x05)
    elif value is UNDEFINED:
        out.append(0x06)
    elif isinstance(value, bool):
        out += bytes((0x01, 1 if value else 0))
    elif isinstance(value, int | float):
        out.append(0x00)
        out += struct.pack(">d", float(value))
    elif isinstance(value, str):
        encoded = value.encode()
        if len(encoded) > 0xFFFF:
            out.append(0x0C)
            out += struct.pack(">I", len(encoded)) + encoded
        else:
            out.append(0x02)
            out += struct.pack(">H", len(encoded)) + encoded
    elif isinstance(value, dict):
        out.append(0x03)
        for key, item in value.items():
            encoded = str(key).encode()
            out += struct.pack(">H", len(encoded)) + encoded
            _amf0_encode_one(item, out)
        out += b"\x00\x00\x09"
    elif isinstance(value, list | tuple):
        out.append(0x0A)
        out += struct.pack(">I", len(value))
        for item in value:
            _amf0_encode_one(item, out)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as AMF0")


def _amf0_string(data: bytes, position: int) -> tuple[str, int]:
    _check(data, position, 2)
    (length,) = struct.unpack_from(">H", data, position)
    _check(data, position + 2, length)
    text = data[position + 2 : position + 2 + length].decode("utf-8", "replace")
    return text, position + 2 + length


def _check(data: bytes, position: int, size: int) -> None:
    if position + size > len(data):
        raise RtmpError("AMF0 value cut short")


# --- Chunk stream -----------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    type_id: int
    stream_id: int
    timestamp: int  # milliseconds, wrapping at 2**32
    payload: bytes


@dataclass
class _ChunkState:
    timestamp: int = 0
    delta: int = 0
    length: int = 0
    type_id: int = 0
    stream_id: int = 0
    extended: bool = False
    body: bytearray = field(default_factory=bytearray)


class ChunkReader:
    """Turns the bytes an RTMP peer sends (after the handshake) into whole messages.

    Feed it whatever arrived (`feed`) and take the messages that are complete; a chunk cut
    in the middle waits for the next bytes. Set Chunk Size and Abort are applied here.
    """

    def __init__(self) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self._buffer = bytearray()
        self._streams: dict[int, _ChunkState] = {}

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages: list[Message] = []
        while True:
            message, complete = self._one_chunk()
            if not complete:
                return messages
            if message is not None:
                messages.append(message)

    def _one_chunk(self) -> tuple[Message | None, bool]:
        buffer = self._buffer
        if not buffer:
            return None, False
        fmt = buffer[0] >> 6
        csid = buffer[0] & 0x3F
        position = 1
        if csid == 0:
            if len(buffer) < 2:
                return None, False
            csid = buffer[1] + 64
            position = 2
        elif csid == 1:
            if len(buffer) < 3:
                return None, False
            csid = buffer[1] + buffer[2] * 256 + 64
            position = 3
        header_size = (11, 7, 3, 0)[fmt]
        if len(buffer) < position + header_size:
            return None, False
        state = self._streams.get(csid)
        if state is None:
            if fmt != 0:
                raise RtmpError(f"chunk stream {csid} starts without a full header")
            state = self._streams[csid] = _ChunkState()
        header = buffer[position : position + header_size]
        position += header_size
        stamp = int.from_bytes(header[0:3], "big") if fmt < 3 else 0
        extended = stamp == 0xFFFFFF if fmt < 3 else state.extended
        if extended:
            if len(buffer) < position + 4:
                return None, False
            extended_stamp = int.from_bytes(buffer[position : position + 4], "big")
            position += 4
            if fmt < 3:
                stamp = extended_stamp
        starting = not state.body
        if fmt < 3:
            length = state.length
            type_id = state.type_id
            stream_id = state.stream_id
            if fmt <= 1:
                length = int.from_bytes(header[3:6], "big")
                type_id = header[6]
                if length > MAX_MESSAGE_SIZE:
                    raise RtmpError(f"message of {length} bytes is too large")
            if fmt == 0:
                stream_id = int.from_bytes(header[7:11], "little")
        remaining = (length if fmt < 3 else state.length) - len(state.body)
        take = min(self.chunk_size, remaining)
        if len(buffer) < position + take:
            return None, False
        # The whole chunk is here: commit the header to the chunk stream's state.
        if fmt < 3:
            state.length, state.type_id, state.stream_id = length, type_id, stream_id
            state.extended = extended
            if fmt == 0:
                state.timestamp, state.delta = stamp, 0
            else:
                state.delta = stamp
                state.timestamp = (state.timestamp + stamp) & 0xFFFFFFFF
        elif starting:  # type 3 starting a new message repeats the previous delta
            state.timestamp = (state.timestamp + state.delta) & 0xFFFFFFFF
        state.body += buffer[position : position + take]
        del buffer[: position + take]
        if len(state.body) < state.length:
            return None, True
        message = Message(state.type_id, state.stream_id, state.timestamp, bytes(state.body))
        state.body = bytearray()
        return self._control(message), True

    def _control(self, message: Message) -> Message | None:
        if message.type_id == SET_CHUNK_SIZE and len(message.payload) >= 4:
            size = int.from_bytes(message.payload[:4], "big") & 0x7FFFFFFF
            if not 1 <= size <= MAX_MESSAGE_SIZE:
                raise RtmpError(f"chunk size {size} refused")
            self.chunk_size = size
            return None
        if message.type_id == ABORT and len(message.payload) >= 4:
            csid = int.from_bytes(message.payload[:4], "big")
            if csid in self._streams:
                self._streams[csid].body = bytearray()
            return None
        return message


def chunk_message(message: Message, *, csid: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> bytes:
    """One message as chunks: a type 0 header, then type 3 continuation chunks."""
    if not 2 <= csid <= 63:
        raise ValueError("only one-byte chunk stream ids are used here")
    stamp = message.timestamp & 0xFFFFFFFF
    extended = stamp >= 0xFFFFFF
    header = bytes([csid])
    header += (0xFFFFFF if extended else stamp).to_bytes(3, "big")
    header += len(message.payload).to_bytes(3, "big") + bytes([message.type_id])
    header += message.stream_id.to_bytes(4, "little")
    if extended:
        header += stamp.to_bytes(4, "big")
    out = bytearray(header)
    payload = message.payload
    for start in range(0, max(len(payload), 1), chunk_size):
        if start:
            out.append(0xC0 | csid)
            if extended:
                out += stamp.to_bytes(4, "big")
        out += payload[start : start + chunk_size]
    return bytes(out)


# --- FLV --------------------------------------------------------------------------------


def flv_tag(type_id: int, timestamp: int, payload: bytes) -> bytes:
    """An FLV tag and the PreviousTagSize that follows it."""
    stamp = timestamp & 0xFFFFFFFF
    header = bytes([type_id]) + len(payload).to_bytes(3, "big")
    header += (stamp & 0xFFFFFF).to_bytes(3, "big") + bytes([stamp >> 24]) + b"\x00\x00\x00"
    return header + payload + (11 + len(payload)).to_bytes(4, "big")


class FlvReader:
    """FLV read as a stream (ffmpeg's stdout, a file) into tags, whatever the pieces' sizes."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.in_header = True

    def feed(self, data: bytes) -> list[Tag]:
        self.buffer += data
        tags: list[Tag] = []
        buffer = self.buffer
        while True:
            if self.in_header:
                if len(buffer) < 9:
                    break
                if bytes(buffer[:3]) != b"FLV":
                    raise RtmpError("not FLV")
                skip = int.from_bytes(buffer[5:9], "big") + 4  # header, PreviousTagSize0
                if len(buffer) < skip:
                    break
                del buffer[:skip]
                self.in_header = False
                continue
            if len(buffer) < 11:
                break
            size = int.from_bytes(buffer[1:4], "big")
            total = 11 + size + 4
            if len(buffer) < total:
                break
            type_id = buffer[0]
            timestamp = int.from_bytes(buffer[4:7], "big") | (buffer[7] << 24)
            payload = bytes(buffer[11 : 11 + size])
            del buffer[:total]
            if type_id in (AUDIO, VIDEO, DATA_AMF0):
                tags.append(Tag(type_id, timestamp, payload))
        return tags


def script_payload(payload: bytes) -> bytes:
    """An encoder's data message as an FLV script tag: without the "@setDataFrame" prefix."""
    try:
        first, position = amf0_decode(payload)
    except RtmpError:
        return payload
    return payload[position:] if first == "@setDataFrame" else payload


def is_video_keyframe(payload: bytes) -> bool:
    # Legacy and enhanced RTMP both keep the frame type in bits 4-6 of the first byte.
    return bool(payload) and (payload[0] >> 4) & 0x07 == 1


def is_sequence_header(type_id: int, payload: bytes) -> bool:
    """The codec set-up a decoder needs before any frame (AVC/HEVC config, AAC config)."""
    if len(payload) < 2:
        return False
    if type_id == VIDEO:
        if payload[0] & 0x80:  # enhanced RTMP: the packet type is in the low bits
            return payload[0] & 0x0F == 0
        return payload[0] & 0x0F in (7, 12) and payload[1] == 0
    if type_id == AUDIO:
        return payload[0] >> 4 == 10 and payload[1] == 0
    return False


# --- Server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """One FLV tag's worth of media from the encoder."""

    type_id: int  # AUDIO, VIDEO or DATA_AMF0
    timestamp: int
    payload: bytes

    @property
    def is_keyframe(self) -> bool:
        return self.type_id == VIDEO and is_video_keyframe(self.payload)

    @property
    def is_header(self) -> bool:
        return self.type_id == DATA_AMF0 or is_sequence_header(self.type_id, self.payload)

    def flv(self, timestamp: int | None = None) -> bytes:
        stamp = self.timestamp if timestamp is None else timestamp
        return flv_tag(self.type_id, stamp, self.payload)


class Publisher:
    """What the server hands a publish to; returned by `authorize` for an accepted name."""

    connection: Connection | None = None  # set by the server once publishing starts

    def on_tag(self, tag: Tag) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    async def on_end(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


# authorize(app, stream name, peer address) -> Publisher, or None to refuse.
Authorize = Callable[[str, str, str], Awaitable[Publisher | None]]


async def serve(
    authorize: Authorize, *, host: str = "127.0.0.1", port: int = 1935
) -> asyncio.Server:
    """Start listening; each encoder connection is a `Connection`."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await Connection(reader, writer, authorize).run()

    return await asyncio.start_server(handle, host, port)


class Connection:
    HANDSHAKE_TIMEOUT_S = 10
    IDLE_TIMEOUT_S = 30  # an encoder that sends nothing for this long is gone

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, authorize: Authorize
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.authorize = authorize
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.chunks = ChunkReader()
        self.app = ""
        self.publisher: Publisher | None = None
        self.received = 0
        self.acknowledged = 0
        self.peer_window = 0

    async def run(self) -> None:
        try:
            await asyncio.wait_for(self._handshake(), self.HANDSHAKE_TIMEOUT_S)
            while True:
                data = await asyncio.wait_for(self.reader.read(65536), self.IDLE_TIMEOUT_S)
                if not data:
                    break
                self.received += len(data)
                for message in self.chunks.feed(data):
                    if not await self._dispatch(message):
                        return
                await self._acknowledge()
        except (TimeoutError, RtmpError, ConnectionError, asyncio.IncompleteReadError) as error:
            logger.info("RTMP connection from %s closed: %s", self.peer, error or type(error))
        except Exception:  # one broken connection must not take the server down
            logger.exception("RTMP connection from %s failed", self.peer)
        finally:
            if self.publisher is not None:
                publisher, self.publisher = self.publisher, None
                await publisher.on_end()
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()

    async def _handshake(self) -> None:
        c0c1 = await self.reader.readexactly(1 + HANDSHAKE_SIZE)
        if c0c1[0] != 3:
            raise RtmpError(f"RTMP version {c0c1[0]} not supported")
        # S1: our time, four zero bytes (no digest, so clients skip digest checks), random.
        s1 = b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00" + os.urandom(HANDSHAKE_SIZE - 8)
        self.writer.write(b"\x03" + s1 + c0c1[1:])  # S0, S1, S2 = echo of C1
        await self.writer.drain()
        await self.reader.readexactly(HANDSHAKE_SIZE)  # C2: nothing in it we need

    async def _dispatch(self, message: Message) -> bool:
        kind = message.type_id
        if kind in (AUDIO, VIDEO):
            if self.publisher is not None:
                self.publisher.on_tag(Tag(kind, message.timestamp, message.payload))
        elif kind == DATA_AMF0:
            if self.publisher is not None:
                payload = script_payload(message.payload)
                self.publisher.on_tag(Tag(DATA_AMF0, message.timestamp, payload))
        elif kind == WINDOW_ACK and len(message.payload) >= 4:
            self.peer_window = int.from_bytes(message.payload[:4], "big")
        elif kind == COMMAND_AMF0:
            return await self._command(amf0_decode_all(message.payload), message.stream_id)
        elif kind == COMMAND_AMF3 and message.payload:
            # An AMF3 command message is AMF0 after one format byte.
            return await self._command(amf0_decode_all(message.payload[1:]), message.stream_id)
        return True

    async def _command(self, values: list[Any], stream_id: int) -> bool:
        if len(values) < 2 or not isinstance(values[0], str):
            raise RtmpError("malformed command")
        name, transaction = values[0], values[1]
        if name == "connect":
            properties = values[2] if len(values) > 2 and isinstance(values[2], dict) else {}
            self.app = str(properties.get("app", "")).strip("/")
            self._send(WINDOW_ACK, 0, WINDOW_ACK_SIZE.to_bytes(4, "big"), csid=2)
            self._send(SET_PEER_BANDWIDTH, 0, WINDOW_ACK_SIZE.to_bytes(4, "big") + b"\x02", csid=2)
            self._send(SET_CHUNK_SIZE, 0, OUR_CHUNK_SIZE.to_bytes(4, "big"), csid=2)
            self._chunk_size = OUR_CHUNK_SIZE
            self._reply(
                "_result",
                transaction,
                {"fmsVer": "FMS/3,0,1,123", "capabilities": 31},
                {
                    "level": "status",
                    "code": "NetConnection.Connect.Success",
                    "description": "Connection succeeded.",
                    "objectEncoding": 0,
                },
            )
        elif name == "createStream":
            self._reply("_result", transaction, None, 1)
        elif name in ("releaseStream", "FCPublish", "FCUnpublish"):
            self._reply("_result", transaction, None, UNDEFINED)
        elif name == "publish":
            stream_name = str(values[3]) if len(values) > 3 else ""
            stream_name = stream_name.split("?", 1)[0]
            publisher = await self.authorize(self.app, stream_name, self.peer)
            if publisher is None:
                self._status(stream_id, "error", "NetStream.Publish.BadName", "Refused.")
                await self.writer.drain()
                return False
            self.publisher = publisher
            publisher.connection = self
            self._status(stream_id, "status", "NetStream.Publish.Start", "Publishing.")
        elif name == "deleteStream":
            if self.publisher is not None:
                publisher, self.publisher = self.publisher, None
                await publisher.on_end()
        elif name == "play":
            self._status(stream_id, "error", "NetStream.Play.Failed", "Playing is refused.")
            await self.writer.drain()
            return False
        await self.writer.drain()
        return True

    _chunk_size = DEFAULT_CHUNK_SIZE

    def _send(self, type_id: int, stream_id: int, payload: bytes, *, csid: int) -> None:
        message = Message(type_id, stream_id, 0, payload)
        self.writer.write(chunk_message(message, csid=csid, chunk_size=self._chunk_size))

    def _reply(self, name: str, transaction: Any, *values: Any) -> None:
        self._send(COMMAND_AMF0, 0, amf0_encode(name, transaction, *values), csid=3)

    def _status(self, stream_id: int, level: str, code: str, description: str) -> None:
        info = {"level": level, "code": code, "description": description}
        self._send(COMMAND_AMF0, stream_id, amf0_encode("onStatus", 0, None, info), csid=5)

    def close(self) -> None:
        """End this connection (its publisher's on_end follows)."""
        self.writer.close()

    async def _acknowledge(self) -> None:
        if self.peer_window and self.received - self.acknowledged >= self.peer_window:
            self.acknowledged = self.received
            stamp = (self.received & 0xFFFFFFFF).to_bytes(4, "big")
            self._send(ACKNOWLEDGEMENT, 0, stamp, csid=2)
            await self.writer.drain()
