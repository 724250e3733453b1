"""Streamed authenticated encryption of backup parts (AES-256-GCM in 1 MiB chunks).

A part is ``MAGIC || nonce prefix (7 bytes) || chunk…``; chunk *i* is AES-GCM over at most ``CHUNK`` bytes
of plaintext with the nonce ``prefix || i (4 bytes) || last flag (1 byte)`` and the associated data
``MAGIC || prefix || part name``. So a chunk cannot be changed, reordered, moved to another part or another
backup, and a part cut short after a chunk boundary fails too (its new last chunk was not sealed as last).
Memory stays at one chunk whatever the size of the dump.

The key is 32 random bytes, base64url-encoded, from ``HROMADA_BACKUP_KEY`` (never stored with the backup;
the manifest names only its fingerprint).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"HRMDENC1"
SCHEME = "AES-256-GCM-STREAM/1"
CHUNK = 1024 * 1024
TAG = 16
PREFIX = 7


class EncryptionError(Exception):
    """The key is missing or malformed, or a part does not decrypt (wrong key, damaged or altered)."""


def parse_key(value: str) -> bytes:
    """The 32-byte key from its base64url text (as printed by ``manage.py backup --generate-key``)."""
    value = (value or "").strip()
    if not value:
        raise EncryptionError("Не задано ключ шифрування резервних копій HROMADA_BACKUP_KEY.")
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EncryptionError("HROMADA_BACKUP_KEY має бути 32 байтами в base64url.") from exc
    if len(key) != 32:
        raise EncryptionError("HROMADA_BACKUP_KEY має бути 32 байтами в base64url.")
    return key


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def key_id(key: bytes) -> str:
    """A fingerprint that tells which key a backup needs without revealing it."""
    return hashlib.sha256(b"hromada-backup-key-id:" + key).hexdigest()[:16]


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= 2**32:
        raise EncryptionError("Частина резервної копії завелика для одного ключа шифрування.")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A binary file-like object: what is written goes, encrypted, to ``sink`` (a binary file)."""

    def __init__(self, sink, *, key: bytes, part: str):
        super().__init__()
        self._sink, self._aead = sink, AESGCM(key)
        self._prefix = os.urandom(PREFIX)
        self._aad = MAGIC + self._prefix + part.encode()
        self._buffer = bytearray()
        self._index = 0
        sink.write(MAGIC + self._prefix)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        # A chunk leaves only when more follows: the final one (possibly empty) is sealed as last in close().
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        self._sink.write(self._aead.encrypt(_nonce(self._prefix, self._index, last), plain, self._aad))
        self._index += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A binary file-like object reading the plaintext of an encrypted part from ``source``."""

    def __init__(self, source, *, key: bytes, part: str):
        super().__init__()
        header = source.read(len(MAGIC) + PREFIX)
        if len(header) != len(MAGIC) + PREFIX or not header.startswith(MAGIC):
            raise EncryptionError(f"Частина {part} не зашифрована ключем резервних копій.")
        self._source, self._aead = source, AESGCM(key)
        self._prefix = header[len(MAGIC):]
        self._aad = MAGIC + self._prefix + part.encode()
        self._part = part
        self._index = 0
        self._next = source.read(CHUNK + TAG)
        self._plain, self._pos = b"", 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _advance(self) -> None:
        current, self._next = self._next, self._source.read(CHUNK + TAG)
        last = not self._next
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._index, last), current, self._aad)
        except InvalidTag as exc:
            raise EncryptionError(f"Частину {self._part} не вдалося розшифрувати: інший ключ, або копію "
                                  f"пошкоджено чи змінено.") from exc
        self._plain, self._pos = plain, 0
        self._index += 1
        self._done = last

    def readinto(self, buffer) -> int:
        while self._pos >= len(self._plain) and not self._done:
            self._advance()
        size = min(len(buffer), len(self._plain) - self._pos)
        buffer[:size] = self._plain[self._pos:self._pos + size]
        self._pos += size
        return size


def encrypt_file(source, sink, *, key: bytes, part: str) -> None:
    writer = EncryptingWriter(sink, key=key, part=part)
    for chunk in iter(lambda: source.read(CHUNK), b""):
        writer.write(chunk)
    writer.close()


def decrypt_file(source, sink, *, key: bytes, part: str) -> None:
    reader = DecryptingReader(source, key=key, part=part)
    for chunk in iter(lambda: reader.read(CHUNK), b""):
        sink.write(chunk)
