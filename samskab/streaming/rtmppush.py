"""Publishing to YouTube, Facebook Live or any RTMP(S) server from the ingest itself.

A restream's stream key is a secret. Given to ffmpeg it would be part of its command line,
which every local user can read in `ps` and /proc/<pid>/cmdline, and ffmpeg takes an RTMP
output's address (with the key, or as -rtmp_playpath) only there. So the ingest publishes
the FLV itself: the handshake, connect, createStream, publish, then each tag as an RTMP
message; the key never leaves this process. RTMPS is RTMP over TLS, the server's
certificate checked against the system's authorities.

Pure Python, no Django; blocking sockets, used from one sink's thread.
"""

from __future__ import annotations

import os
import select
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from samskab.streaming.rtmp import (
    ACKNOWLEDGEMENT,
    AUDIO,
    COMMAND_AMF0,
    DATA_AMF0,
    HANDSHAKE_SIZE,
    SET_CHUNK_SIZE,
    USER_CONTROL,
    VIDEO,
    WINDOW_ACK,
    ChunkReader,
    FlvReader,
    Message,
    RtmpError,
    Tag,
    amf0_decode_all,
    amf0_encode,
    chunk_message,
)

CHUNK_SIZE = 4096
FLASH_VERSION = "FMLE/3.0 (compatible; Samskab)"
# Chunk streams for our messages: control, commands, then data, audio and video apart.
CSID_CONTROL, CSID_COMMAND, CSID_DATA, CSID_AUDIO, CSID_VIDEO = 2, 3, 5, 6, 7


class PushError(Exception):
    """The destination refused or broke the connection; the message says how (no key)."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    tls: bool
    app: str
    tc_url: str
    key: str


def target(server_url: str, key: str) -> Target:
    """Where to publish: the server address as staff entered it, and the stream key."""
    parts = urlsplit(server_url.strip())
    if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
        raise ValueError("a restream destination is an rtmp:// or rtmps:// address")
    tls = parts.scheme == "rtmps"
    port = parts.port or (443 if tls else 1935)
    app = parts.path.strip("/")
    name = key
    if not name and "/" in app:
        # No key given: the address's last part is the stream's name (an own server).
        app, name = app.rsplit("/", 1)
    tc_url = f"{parts.scheme}://{parts.hostname}:{port}/{app}"
    return Target(parts.hostname, port, tls, app, tc_url, name)


class RtmpPush:
    """One publishing connection: `connect()`, then `write_flv(...)`, then `close()`."""

    def __init__(self, destination: Target, *, timeout_s: float = 15.0) -> None:
        self.target = destination
        self.timeout_s = timeout_s
        self.sock: socket.socket | None = None
        self.reader = ChunkReader()
        self.flv = FlvReader()
        self.stream_id = 0
        self.received = 0
        self.acknowledged = 0
        self.peer_window = 0

    # --- setting up ---

    def connect(self) -> None:
        try:
            sock = socket.create_connection(
                (self.target.host, self.target.port), timeout=self.timeout_s
            )
            if self.target.tls:
                context = ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=self.target.host)
        except OSError as error:
            raise PushError(f"Could not connect to {self.target.host}: {error}") from error
        self.sock = sock
        try:
            self._handshake()
            self._send(SET_CHUNK_SIZE, 0, CHUNK_SIZE.to_bytes(4, "big"), csid=CSID_CONTROL)
            self._command(
                "connect",
                1,
                {
                    "app": self.target.app,
                    "type": "nonprivate",
                    "flashVer": FLASH_VERSION,
                    "tcUrl": self.target.tc_url,
                },
            )
            self._wait_result(1)
            key = self.target.key
            self._command("releaseStream", 2, None, key)
            self._command("FCPublish", 3, None, key)
            self._command("createStream", 4, None)
            values = self._wait_result(4)
            self.stream_id = int(values[3]) if len(values) > 3 else 1
            self._command("publish", 5, None, key, "live", stream_id=self.stream_id)
            self._wait_status("NetStream.Publish.Start")
        except (OSError, RtmpError) as error:
            self.close()
            raise PushError(f"The destination broke off: {error}") from error

    def _handshake(self) -> None:
        c1 = b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00" + os.urandom(HANDSHAKE_SIZE - 8)
        self._sock().sendall(b"\x03" + c1)
        s0s1 = self._read_exactly(1 + HANDSHAKE_SIZE)
        if s0s1[0] != 3:
            raise PushError(f"The destination answered with RTMP version {s0s1[0]}.")
        self._read_exactly(HANDSHAKE_SIZE)  # S2: the echo of C1
        self._sock().sendall(s0s1[1:])  # C2: the echo of S1

    def _read_exactly(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            part = self._sock().recv(size - len(data))
            if not part:
                raise PushError("The destination closed the connection.")
            data += part
        return bytes(data)

    def _wait_result(self, transaction: int) -> list:
        while True:
            for values in self._commands():
                if values[1] == transaction and values[0] == "_result":
                    return values
                if values[1] == transaction and values[0] == "_error":
                    raise PushError(f"The destination refused: {_describe(values)}")
                if values[0] == "onStatus":
                    _check_status(values)

    def _wait_status(self, code: str) -> None:
        while True:
            for values in self._commands():
                if values[0] == "onStatus" and _check_status(values) == code:
                    return

    def _commands(self) -> list[list]:
        """The commands in what arrives next (waits for data)."""
        commands = []
        for message in self._receive(block=True):
            if message.type_id == COMMAND_AMF0:
                values = amf0_decode_all(message.payload)
                if len(values) >= 2 and isinstance(values[0], str):
                    commands.append(values)
        return commands

    def _receive(self, *, block: bool) -> list[Message]:
        sock = self._sock()
        if not block:
            pending = isinstance(sock, ssl.SSLSocket) and sock.pending()
            if not pending and not select.select([sock], [], [], 0)[0]:
                return []
        data = sock.recv(65536)
        if not data:
            raise PushError("The destination closed the connection.")
        self.received += len(data)
        messages = []
        for message in self.reader.feed(data):
            if message.type_id == WINDOW_ACK and len(message.payload) >= 4:
                self.peer_window = int.from_bytes(message.payload[:4], "big")
            elif message.type_id == USER_CONTROL and message.payload[:2] == b"\x00\x06":
                # A ping: answer it, or the server takes us for gone.
                self._send(USER_CONTROL, 0, b"\x00\x07" + message.payload[2:6], csid=CSID_CONTROL)
            else:
                messages.append(message)
        if self.peer_window and self.received - self.acknowledged >= self.peer_window:
            self.acknowledged = self.received
            stamp = (self.received & 0xFFFFFFFF).to_bytes(4, "big")
            self._send(ACKNOWLEDGEMENT, 0, stamp, csid=CSID_CONTROL)
        return messages

    # --- publishing ---

    def write_flv(self, data: bytes) -> None:
        """FLV as ffmpeg or the fan-out writes it; each whole tag goes out as a message."""
        for tag in self.flv.feed(data):
            self.send_tag(tag)

    def send_tag(self, tag: Tag) -> None:
        if tag.type_id == DATA_AMF0:
            payload, csid = amf0_encode("@setDataFrame") + tag.payload, CSID_DATA
        elif tag.type_id == AUDIO:
            payload, csid = tag.payload, CSID_AUDIO
        elif tag.type_id == VIDEO:
            payload, csid = tag.payload, CSID_VIDEO
        else:
            return
        try:
            self._send(tag.type_id, self.stream_id, payload, csid=csid, timestamp=tag.timestamp)
            # What the destination says meanwhile: acknowledgements, pings, or an error.
            for message in self._receive(block=False):
                if message.type_id == COMMAND_AMF0:
                    values = amf0_decode_all(message.payload)
                    if values and values[0] == "onStatus":
                        _check_status(values)
        except (OSError, RtmpError) as error:
            raise PushError(f"The destination broke off: {error}") from error

    def close(self) -> None:
        if self.sock is None:
            return
        sock, self.sock = self.sock, None
        try:
            sock.settimeout(2)
            if self.stream_id:
                message = amf0_encode("FCUnpublish", 6, None, self.target.key)
                sock.sendall(chunk_message(Message(COMMAND_AMF0, 0, 0, message), csid=3))
                message = amf0_encode("deleteStream", 7, None, self.stream_id)
                sock.sendall(chunk_message(Message(COMMAND_AMF0, 0, 0, message), csid=3))
        except OSError:
            pass
        finally:
            sock.close()

    # --- sending ---

    def _sock(self) -> socket.socket:
        if self.sock is None:
            raise PushError("Not connected.")
        return self.sock

    def _send(
        self, type_id: int, stream_id: int, payload: bytes, *, csid: int, timestamp: int = 0
    ) -> None:
        chunk_size = CHUNK_SIZE if type_id != SET_CHUNK_SIZE else 128
        message = Message(type_id, stream_id, timestamp, payload)
        self._sock().sendall(chunk_message(message, csid=csid, chunk_size=chunk_size))

    def _command(self, name: str, transaction: int, *values, stream_id: int = 0) -> None:
        payload = amf0_encode(name, transaction, *values)
        self._send(COMMAND_AMF0, stream_id, payload, csid=CSID_COMMAND if not stream_id else 4)


def _check_status(values: list) -> str:
    """The onStatus code; a PushError when its level is "error"."""
    info = values[3] if len(values) > 3 and isinstance(values[3], dict) else {}
    if info.get("level") == "error":
        raise PushError(f"The destination refused: {_describe(values)}")
    return str(info.get("code", ""))


def _describe(values: list) -> str:
    info = next((value for value in values[2:] if isinstance(value, dict)), {})
    code = str(info.get("code", "")) or "no reason given"
    description = str(info.get("description", ""))
    return f"{code} {description}".strip()
