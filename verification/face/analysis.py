"""Per-frame analysis: detection, 5-point landmarks, head pose, capture-quality figures.

Everything here is cheap (~10-40 ms a frame) except the embedding (~120 ms on the 2-core
target, because the dlib wheel is built without BLAS), so the embedding is computed only
when asked for, once, and cached on the analysis.

Detection runs on a copy shrunk to ``detect_width`` pixels (320 by default): HOG cost
grows with the pixel count and a selfie face is large. The quick pass (no upsampling)
finds faces wider than ~80 px in that copy (a quarter of the frame width); if it finds
nothing, or when ``thorough`` is asked for, one upsampled pass finds faces down to ~40 px.
Landmarks, the aligned chip and the embedding always use the full-resolution frame.

Pose comes from the 5-point model only (two corners per eye and the base of the nose).
All measures are taken in the eye-line coordinate system, so in-plane head tilt (roll)
does not leak into yaw or pitch, and are divided by the inter-ocular distance, so they do
not depend on how far the face is from the camera:

* ``yaw``: horizontal offset of the nose base from the eye midpoint. Positive means the
  nose points to the right of the (unmirrored) image, i.e. the borrower turned their head
  to **their own left**. For a flat photo this ratio cannot change whatever way the photo
  is rotated (ratios of parallel lengths survive any affine map), which is why a turn is
  the strongest liveness cue the 5 points give.
* ``pitch``: vertical offset of the nose base below the eye line. Larger means looking
  down. Its neutral value differs from person to person (lfw-dev: 0.54-0.89 for 90% of
  photos, between-person spread 0.07), so challenges compare it with the same person's
  own start frame. Geometry says a turned head shortens the eye line and should inflate
  it by 1/cos(yaw); on lfw-dev the median stays flat (0.78 -> 0.77) up to |yaw| 0.2, so no
  correction is applied, and pitch steps are only judged while the head is not turned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import dlib
import numpy as np
import numpy.typing as npt

from .imaging import downscale, laplacian, luma
from .models import CHIP_PADDING, CHIP_SIZE, Embedding, RGBImage, get_models
from .occlusion import OcclusionScores, measure_chip

Box = tuple[int, int, int, int]
Point = tuple[float, float]

#: Depth of the nose base in front of the eye corners, in inter-ocular distances. Turns the
#: yaw ratio into an approximate angle (yaw_ratio = k * tan(angle)). Anthropometry suggests
#: 0.3-0.5 and lfw-dev's pose spread fits the upper end; degrees are therefore rough
#: (+-30%) and only for people reading reports, never for a decision.
NOSE_DEPTH_RATIO = 0.45

DEFAULT_DETECT_WIDTH = 320
#: Candidates scoring between this and dlib's own threshold (0) are "weak". Masks,
#: sunglasses and hands push real faces down to -0.6; see quality.py for how they are used.
WEAK_DETECTION_THRESHOLD = -0.6


@dataclass(frozen=True, slots=True)
class HeadPose:
    """Head pose from the 5 landmarks, in inter-ocular units (see the module docstring)."""

    yaw: float
    pitch: float
    roll_degrees: float

    @property
    def yaw_degrees(self) -> float:
        """Approximate yaw angle; positive = turned to the borrower's own left."""
        return math.degrees(math.atan(self.yaw / NOSE_DEPTH_RATIO))


@dataclass(eq=False, slots=True)
class FaceMeasurements:
    """The primary (largest) face of a frame and its quality figures.

    Brightness, exposure and sharpness are measured on the aligned chip's inner face area
    (without the background in the chip's padding), so a bright wall or a dark coat does
    not move them.
    """

    box: Box
    box_inside_frame: bool
    width_fraction: float
    landmarks: tuple[Point, Point, Point, Point, Point]
    pose: HeadPose
    inter_ocular_px: float
    brightness: float
    overexposed_fraction: float
    sharpness: float
    occlusion: OcclusionScores
    #: True when the detector only found a below-threshold candidate (e.g. a masked face);
    #: such a face is measured so the borrower can be told why, but never embedded.
    weak_detection: bool
    chip: RGBImage = field(repr=False)
    shape: Any = field(repr=False)
    #: Only for weak detections, see :func:`landmark_drift`.
    landmark_drift: float | None = None


@dataclass(eq=False, slots=True)
class FrameAnalysis:
    """What one frame shows.

    ``face_boxes`` are the confident detections; ``face`` measures the largest of them, or
    the best weak candidate when there is none (``face.weak_detection``), or is None.
    """

    width: int
    height: int
    face_boxes: list[Box]
    face: FaceMeasurements | None
    image: RGBImage | None = field(default=None, repr=False)
    _embedding: Embedding | None = field(default=None, repr=False)

    @property
    def face_count(self) -> int:
        return len(self.face_boxes)

    def comparable_face_count(self, ratio: float) -> int:
        """Confident faces at least ``ratio`` times as wide as the primary face (itself
        included): with 0.65, a face narrower than 65% of the borrower's is not counted."""
        if not self.face_boxes or self.face is None or self.face.weak_detection:
            return 0
        primary = self.face.box[2] - self.face.box[0]
        return sum(1 for box in self.face_boxes if box[2] - box[0] >= ratio * primary)

    def embedding(self) -> Embedding:
        """The L2-normalised 128-d embedding of the primary face (computed once)."""
        return embed(self)


class NoFaceError(ValueError):
    """Raised when an embedding is requested for a frame without a face."""


def analyze_frame(
    image: RGBImage,
    *,
    detect_width: int = DEFAULT_DETECT_WIDTH,
    thorough: bool = True,
    keep_image: bool = False,
) -> FrameAnalysis:
    """Detect faces and measure the largest one.

    ``thorough=True`` always runs the upsampled detection pass, so a second, smaller face
    (someone behind the borrower) is found; attempts use the quick pass on most frames and
    a thorough pass only where the decision depends on it.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError("analyze_frame expects an H x W x 3 uint8 RGB array")
    image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    boxes, weak = _detect(image, detect_width, thorough)
    face: FaceMeasurements | None = None
    if boxes:
        face = _measure_face(image, max(boxes, key=_box_area))
    elif weak is not None:
        face = _measure_face(image, weak[0], weak_score=weak[1])
        face.landmark_drift = landmark_drift(image, weak[0], face.landmarks)
    return FrameAnalysis(
        width=width,
        height=height,
        face_boxes=boxes,
        face=face,
        image=image if keep_image else None,
    )


def embed(analysis: FrameAnalysis, num_jitters: int = 0) -> Embedding:
    """Embedding of the analysis's face, cached when ``num_jitters`` is 0.

    Embeddings are L2-normalised so distances live in [0, 2] and averaging several (the
    enrolment) and comparing stay on one scale; the thresholds are chosen on that scale.
    """
    if analysis.face is None or analysis.face.weak_detection:
        raise NoFaceError("This frame has no face to embed.")
    if num_jitters == 0 and analysis._embedding is not None:
        return analysis._embedding
    vector = normalise(get_models().descriptor(analysis.face.chip, num_jitters))
    if num_jitters == 0:
        analysis._embedding = vector
    return vector


def embed_many(analyses: list[FrameAnalysis]) -> list[Embedding]:
    """Embeddings of several analyses in one batched network call (cached like embed)."""
    missing = [a for a in analyses if a._embedding is None]
    for analysis in missing:
        if analysis.face is None or analysis.face.weak_detection:
            raise NoFaceError("This frame has no face to embed.")
    chips = [a.face.chip for a in missing if a.face is not None]
    for analysis, vector in zip(missing, get_models().descriptors(chips), strict=True):
        analysis._embedding = normalise(vector)
    return [embed(analysis) for analysis in analyses]


def normalise(vector: npt.NDArray[np.float64]) -> Embedding:
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        raise ValueError("Cannot normalise a zero embedding")
    result: Embedding = vector / norm
    return result


def _box_area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _detect(
    image: RGBImage, detect_width: int, thorough: bool
) -> tuple[list[Box], tuple[Box, float] | None]:
    """Strong face boxes in full-resolution pixels, and the best weak candidate when there
    is no strong one (only looked for in the upsampled pass)."""
    models = get_models()
    small, scale = downscale(image, detect_width)

    def to_full(box: tuple[float, float, float, float]) -> Box:
        left, top, right, bottom = box
        return (
            round(left / scale),
            round(top / scale),
            round(right / scale),
            round(bottom / scale),
        )

    if not thorough:
        quick = models.detect(small, 0)
        if quick:
            return [to_full(box) for box, _ in quick], None
    found = models.detect(small, 1, WEAK_DETECTION_THRESHOLD)
    strong = [to_full(box) for box, score in found if score > 0.0]
    if strong or not found:
        return strong, None
    box, score = max(found, key=lambda candidate: candidate[1])
    return [], (to_full(box), score)


def _measure_face(image: RGBImage, box: Box, weak_score: float | None = None) -> FaceMeasurements:
    height, width = image.shape[:2]
    models = get_models()
    shape = models.landmarks(image, box)
    points = [(float(p.x), float(p.y)) for p in shape.parts()]
    landmarks = (points[0], points[1], points[2], points[3], points[4])
    pose, inter_ocular = head_pose(landmarks)
    chip = np.ascontiguousarray(dlib.get_face_chip(image, shape, CHIP_SIZE, CHIP_PADDING))
    grey = luma(chip)
    brightness, overexposed, sharpness = _exposure_and_sharpness(chip, grey)
    left, top, right, bottom = box
    return FaceMeasurements(
        box=box,
        box_inside_frame=left >= 0 and top >= 0 and right <= width and bottom <= height,
        width_fraction=(right - left) / width,
        landmarks=landmarks,
        pose=pose,
        inter_ocular_px=inter_ocular,
        brightness=brightness,
        overexposed_fraction=overexposed,
        sharpness=sharpness,
        occlusion=measure_chip(chip, grey),
        weak_detection=weak_score is not None,
        chip=chip,
        shape=shape,
    )


def landmark_drift(
    image: RGBImage, box: Box, landmarks: tuple[Point, Point, Point, Point, Point]
) -> float:
    """How far the landmarks follow the box when the box is nudged, per unit of nudge.

    On a face the landmark model locks onto the eyes and nose, so nudging the box by 12%
    of its width moves them only a little (lfw-dev: median 0.03, 95% <= 0.13). On a face
    with a covered half the visible half still anchors them (masks: median 0.26). On
    textures that merely fooled the detector there is nothing to lock onto and the points
    ride along with the box (median 0.65). Used only to vet weak detections.
    """
    models = get_models()
    left, top, right, bottom = box
    step = 0.12 * (right - left)
    base = np.asarray(landmarks, dtype=np.float64)
    drifts = []
    for dx, dy in ((step, 0.0), (-step, 0.0), (0.0, step), (0.0, -step)):
        shifted = models.landmarks(image, (left + dx, top + dy, right + dx, bottom + dy))
        points = np.asarray([(p.x, p.y) for p in shifted.parts()], dtype=np.float64)
        drifts.append(float(np.linalg.norm(points - base, axis=1).mean()) / step)
    return float(np.mean(drifts))


def head_pose(
    landmarks: tuple[Point, Point, Point, Point, Point],
) -> tuple[HeadPose, float]:
    """Yaw, pitch and roll from the 5 points; also returns the inter-ocular distance.

    dlib's 5-point order: 0-1 the outer and inner corner of the eye on the image's right
    (the borrower's left eye in an unmirrored frame), 2-3 the outer and inner corner of the
    other eye, 4 the base of the nose.
    """
    pts = np.asarray(landmarks, dtype=np.float64)
    right_eye = pts[0:2].mean(axis=0)
    left_eye = pts[2:4].mean(axis=0)
    eye_line = right_eye - left_eye
    inter_ocular = float(np.hypot(eye_line[0], eye_line[1]))
    if inter_ocular < 1e-6:
        return HeadPose(0.0, 0.0, 0.0), 0.0
    ux = eye_line / inter_ocular
    uy = np.array([-ux[1], ux[0]])
    offset = pts[4] - (right_eye + left_eye) / 2.0
    yaw = float(offset @ ux) / inter_ocular
    pitch = float(offset @ uy) / inter_ocular
    roll = math.degrees(math.atan2(ux[1], ux[0]))
    return HeadPose(yaw=yaw, pitch=pitch, roll_degrees=roll), inter_ocular


#: The inner face area of the 150 px chip (padding 0.25): forehead to chin, cheek to cheek.
_INNER = (slice(30, 135), slice(30, 120))


def _exposure_and_sharpness(
    chip: RGBImage, grey: npt.NDArray[np.float32]
) -> tuple[float, float, float]:
    inner_grey = grey[_INNER]
    brightness = float(inner_grey.mean())
    clipped = (chip[_INNER] >= 250).all(axis=2) | (inner_grey >= 250)
    overexposed = float(clipped.mean())
    sharpness = float(laplacian(inner_grey).var())
    return brightness, overexposed, sharpness
