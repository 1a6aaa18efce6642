"""YouTube's and Facebook's RTMPS ingest, on loopback.

Both platforms take our feed over RTMPS (RTMP inside TLS, the certificate checked). Here a
`TlsFront` ends TLS as the platforms' edges do, with a certificate for 127.0.0.1 that the
test makes the system trust (SSL_CERT_FILE), and hands the RTMP inside to the streaming
tests' ffmpeg receiver, which writes what arrives to a file. The front counts the bytes,
and can go away mid-stream (`refuse`): it drops the connection and refuses new ones.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import select
import socket
import ssl
import threading
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def loopback_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake platform ingest")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "ingest-cert.pem", folder / "ingest-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsFront:
    """An RTMPS listener on loopback that passes the RTMP inside to `backend_port`."""

    def __init__(self, backend_port: int, *, cert: Path, key: Path) -> None:
        self.backend_port = backend_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = 0  # bytes of RTMP that came through TLS
        self.handshakes = 0
        self.last_data_at = 0.0
        self._refusing = False
        threading.Thread(target=self._accept, name="tls front", daemon=True).start()

    @property
    def flowing(self) -> bool:
        """Receiving now: bytes came in the last two seconds."""
        return not self._refusing and time.monotonic() - self.last_data_at < 2.0

    def base_url(self, app: str) -> str:
        return f"rtmps://127.0.0.1:{self.port}/{app}"

    def refuse(self) -> None:
        """The platform's ingest goes away: the connection is dropped, new ones refused."""
        self._refusing = True
        with contextlib.suppress(OSError):
            self.listener.close()

    def _accept(self) -> None:
        while not self._refusing:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        # One thread per connection does both directions: an SSL object is not for two.
        try:
            client = self.context.wrap_socket(raw, server_side=True)
            backend = socket.create_connection(("127.0.0.1", self.backend_port), timeout=10)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        self.handshakes += 1
        try:
            while not self._refusing:
                ready = select.select([client, backend], [], [], 0.2)[0]
                if client in ready or client.pending():
                    data = client.recv(65536)
                    if not data:
                        break
                    self.received += len(data)
                    self.last_data_at = time.monotonic()
                    backend.sendall(data)
                if backend in ready:
                    data = backend.recv(65536)
                    if not data:
                        break
                    client.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (client, backend):
                with contextlib.suppress(OSError):
                    sock.close()
