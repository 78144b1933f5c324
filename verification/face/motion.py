"""Is anything moving? Frame-to-frame differences that expose still photos and replays.

A live borrower performing a challenge changes the picture between frames: the head moves,
the light on the face changes, the pose figures change. A photo held in front of the camera
changes only by sensor noise, and a replayed or injected frame does not change at all.

The picture difference is the mean absolute difference of 80-pixel-wide greyscale
thumbnails (0-255): averaging 8x8 blocks of a 640-pixel frame removes most sensor noise
(measured: a still scene with noise sigma 1.5 gives ~0.2), while a head turning by a few
degrees gives 3-30. A pair of frames is *static* when the picture barely changed AND the
head pose and size did not change; a frame is *repeated* when its bytes equal an earlier
frame's or its picture equals the previous one's.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .analysis import FaceMeasurements
from .imaging import FloatImage


@dataclass(frozen=True, slots=True)
class MotionSummary:
    """Consecutive pairs of decodable frames, how many were static, the mean difference."""

    pairs: int
    static_pairs: int
    repeated_frames: int
    mean_difference: float | None


@dataclass(frozen=True, slots=True)
class MotionThresholds:
    #: Below this the two thumbnails are the same picture (two decodes of one frame give 0).
    repeat_difference: float = 0.05
    #: Below this only noise changed (see the module docstring).
    static_difference: float = 1.5
    static_pose_change: float = 0.02
    static_size_change: float = 0.02


@dataclass(frozen=True, slots=True)
class MotionFrame:
    """What motion needs to know about one frame (None thumbnail = undecodable)."""

    index: int
    data: bytes
    thumbnail: FloatImage | None
    face: FaceMeasurements | None


def measure_motion(
    frames: Sequence[MotionFrame], thresholds: MotionThresholds
) -> tuple[MotionSummary, dict[int, float], set[int]]:
    """Summary, the difference of each frame from the previous decodable one, and the
    indices of repeated frames."""
    differences: dict[int, float] = {}
    static = 0
    pairs = 0
    readable = [frame for frame in frames if frame.thumbnail is not None]
    for previous, current in itertools.pairwise(readable):
        before, after = previous.thumbnail, current.thumbnail
        pairs += 1
        if before is None or after is None or before.shape != after.shape:
            differences[current.index] = 255.0
            continue
        difference = float(np.abs(before - after).mean())
        differences[current.index] = difference
        if difference < thresholds.static_difference and _pose_still(
            previous.face, current.face, thresholds
        ):
            static += 1
    repeated = _repeated(frames, differences, thresholds)
    values = list(differences.values())
    summary = MotionSummary(
        pairs=pairs,
        static_pairs=static,
        repeated_frames=len(repeated),
        mean_difference=float(np.mean(values)) if values else None,
    )
    return summary, differences, repeated


def _repeated(
    frames: Sequence[MotionFrame], differences: dict[int, float], thresholds: MotionThresholds
) -> set[int]:
    seen: set[bytes] = set()
    repeated: set[int] = set()
    for frame in frames:
        digest = hashlib.sha256(frame.data).digest()
        same_picture = differences.get(frame.index, 255.0) < thresholds.repeat_difference
        if digest in seen or same_picture:
            repeated.add(frame.index)
        seen.add(digest)
    return repeated


def _pose_still(
    a: FaceMeasurements | None, b: FaceMeasurements | None, thresholds: MotionThresholds
) -> bool:
    if a is None or b is None:
        return True
    size = max(a.inter_ocular_px, b.inter_ocular_px)
    return (
        abs(a.pose.yaw - b.pose.yaw) < thresholds.static_pose_change
        and abs(a.pose.pitch - b.pose.pitch) < thresholds.static_pose_change
        and abs(a.inter_ocular_px - b.inter_ocular_px) <= thresholds.static_size_change * size
    )
