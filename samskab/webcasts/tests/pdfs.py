"""Small PDF files written byte by byte for the slide tests, encrypted ones included.

The encryption is the PDF standard security handler, revision 2 (RC4, 40-bit key), written
from the PDF 1.7 specification (section 7.6.3, algorithms 2, 3 and 4). A file with an empty
user password opens without a password but is still encrypted (an "owner password" file).
"""

import hashlib

PADDING = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
FILE_ID = bytes.fromhex("00112233445566778899aabbccddeeff")
PERMISSIONS = -4  # everything allowed; the number is what matters to the key, not its meaning


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def padded(password: str) -> bytes:
    return (password.encode("latin-1") + PADDING)[:32]


def encryption_entries(user_password: str, owner_password: str) -> tuple[bytes, bytes]:
    owner_key = hashlib.md5(padded(owner_password), usedforsecurity=False).digest()[:5]
    owner_entry = rc4(owner_key, padded(user_password))
    material = (
        padded(user_password)
        + owner_entry
        + (PERMISSIONS & 0xFFFFFFFF).to_bytes(4, "little")
        + FILE_ID
    )
    file_key = hashlib.md5(material, usedforsecurity=False).digest()[:5]
    return owner_entry, rc4(file_key, PADDING)


def pdf_file(
    *,
    pages: int = 1,
    user_password: str | None = None,
    owner_password: str = "o",
    size: tuple[float, float] = (320, 180),
) -> bytes:
    """A PDF of blank pages of `size` points; encrypted when user_password is given ('' =
    owner password only)."""
    kids = " ".join(f"{3 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        *[
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] >>".encode()
            for _ in range(pages)
        ],
    ]
    encrypt_ref = b""
    if user_password is not None:
        owner_entry, user_entry = encryption_entries(user_password, owner_password)
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <"
            + owner_entry.hex().encode()
            + b"> /U <"
            + user_entry.hex().encode()
            + f"> /P {PERMISSIONS} >>".encode()
        )
        encrypt_ref = f" /Encrypt {len(objects)} 0 R".encode()
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        body += f"{offset:010d} 00000 n \n".encode()
    identifier = FILE_ID.hex().encode()
    body += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R".encode()
        + encrypt_ref
        + b" /ID [<"
        + identifier
        + b"> <"
        + identifier
        + b">] >>\n"
        + f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(body)
