"""Captcha-free proof of work: the browser finds a nonce so that
SHA-256(challenge + ":" + nonce) starts with `bits` zero bits. No Django here.

The server signs and dates the challenge (see comments.challenges); this module only
counts the bits, so it can be tested without a database and mirrored in pow.js.
"""

import hashlib
from itertools import count


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_digest(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()


def is_solution(challenge: str, nonce: str, bits: int) -> bool:
    if not nonce or len(nonce) > 32:
        return False
    return leading_zero_bits(work_digest(challenge, nonce)) >= bits


def solve(challenge: str, bits: int) -> str:
    """What the browser does (used by tests and the benchmark)."""
    for n in count():
        nonce = str(n)
        if is_solution(challenge, nonce, bits):
            return nonce
    raise AssertionError("unreachable")
