"""The encrypted private file store: sensitive files (face photos and frames today, the
scans of written prepayment applications next) encrypted at rest, with key rotation.

Keys are Fernet keys from the environment (FACE_DATA_KEYS, comma-separated): the first
encrypts, all decrypt, so putting a new key first and re-encrypting (`rotate`,
`file_rotate`; `manage.py face_data_rotate_keys` does it for face data) rotates them.
Files live in private storage (PRIVATE_STORAGE_ROOT), which has no URL: they are only ever
read through views that check a dedicated permission (staff) or the owner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage


@cache
def _fernet() -> MultiFernet:
    keys = [key for key in settings.FACE_DATA_KEYS if key]
    if not keys:
        raise RuntimeError("FACE_DATA_KEYS is empty: set at least one Fernet key.")
    return MultiFernet([Fernet(key) for key in keys])


class PrivateStorage(FileSystemStorage):
    """File storage without URLs: private files are never linked to, only streamed by
    views that check permissions."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL.")


@cache
def private_storage() -> PrivateStorage:
    return PrivateStorage(location=settings.PRIVATE_STORAGE_ROOT)


def reset_caches() -> None:
    """Forget cached keys and storage (after settings change, e.g. in tests)."""
    _fernet.cache_clear()
    private_storage.cache_clear()


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    return _fernet().decrypt(token)


def rotate(token: bytes) -> bytes:
    """Re-encrypt with the primary key (decrypting with whichever key works)."""
    return _fernet().rotate(token)


def file_store(data: bytes, *, folder: str) -> str:
    """Encrypt and store; returns the storage name."""
    name = f"{folder}/{uuid.uuid4().hex}.bin"
    return private_storage().save(name, ContentFile(encrypt(data)))


def file_read(name: str) -> bytes:
    with private_storage().open(name, "rb") as handle:
        return decrypt(handle.read())


def file_delete(name: str) -> None:
    private_storage().delete(name)


def file_rotate(name: str) -> None:
    storage = private_storage()
    with storage.open(name, "rb") as handle:
        token = rotate(handle.read())
    # Write beside it and rename: a crash mid-write never leaves the only copy half-written.
    path = Path(storage.path(name))
    temporary = path.with_suffix(".rotating")
    temporary.write_bytes(token)
    os.replace(temporary, path)


# Large files (exports) are stored as a sequence of tokens, one per chunk of the plain
# file and one per line (Fernet tokens are URL-safe base64, so never hold a newline): they
# are written and read a chunk at a time, never whole in memory.
STREAM_CHUNK_BYTES = 1 << 20


def file_store_stream(source: BinaryIO, *, folder: str) -> str:
    """Encrypt a file a chunk at a time into the private store; returns its name."""
    storage = private_storage()
    name = storage.get_available_name(f"{folder}/{uuid.uuid4().hex}.bin")
    path = Path(storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as out:
        while chunk := source.read(STREAM_CHUNK_BYTES):
            out.write(encrypt(chunk) + b"\n")
    return name


def file_read_stream(name: str) -> Iterator[bytes]:
    """A file stored by `file_store_stream`, decrypted a chunk at a time."""
    with private_storage().open(name, "rb") as handle:
        for line in handle:
            token = line.rstrip(b"\n")
            if token:
                yield decrypt(token)
