"""Digests of attempt frames, so frames replayed from an earlier attempt (another session,
a recorded upload) are refused. Two live camera captures are never byte-identical (sensor
noise), so an exact digest has no false alarms; a re-encoded replay still has to beat a
fresh random challenge and nonce."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def frame_digest(frame: bytes) -> str:
    return hashlib.sha256(frame).hexdigest()


def any_seen(digests: Iterable[str], earlier: Iterable[str]) -> bool:
    return not set(digests).isdisjoint(earlier)
