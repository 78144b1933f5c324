"""Enrolment: turning the borrower's consented reference photo(s) into a reference embedding.

Distances are Euclidean between L2-normalised 128-d dlib embeddings (range 0-2); both
defaults below were chosen on lfw-dev with ``bench/face_bench.py`` (docs/face-engine.md has
the figures and the command).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .analysis import analyze_frame, embed, normalise
from .models import Embedding, RGBImage
from .quality import QualityConfig, QualityIssue, check_quality

#: Chosen on lfw-dev (docs/face-engine.md): over all 2.38 million different-person pairs
#: FAR reaches 0.1% at 0.380; a 5-jitter reference sits ~0.004 closer to everyone, so 0.375
#: keeps a jittered reference's FAR under 0.1% too (plain FAR 0.077%, TAR 91.8%).
DEFAULT_MATCH_THRESHOLD = 0.375
#: Frames of one attempt are compared with its identity frame; poses differ (a turned head
#: moves the embedding), so this is looser than the match threshold: FAR ~1% on lfw-dev.
DEFAULT_CONSISTENCY_THRESHOLD = 0.43


class EnrolmentError(ValueError):
    """The reference photo(s) cannot be enrolled; ``code``/``message`` say why."""

    def __init__(
        self,
        code: str,
        message: str,
        image_index: int | None = None,
        issues: Sequence[QualityIssue] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.image_index = image_index
        self.issues = list(issues)


@dataclass(frozen=True, slots=True)
class EnrolmentConfig:
    """Enrolment is stricter than a check: the reference must be frontal and clean."""

    quality: QualityConfig = field(default_factory=lambda: QualityConfig(max_abs_yaw=0.12))
    #: dlib jitters: random crops/flips averaged; 5 costs ~0.6 s per photo, done once.
    num_jitters: int = 5
    #: Several reference photos must agree with each other.
    max_spread: float = DEFAULT_CONSISTENCY_THRESHOLD


@dataclass(frozen=True, slots=True)
class EnrolledImage:
    """Quality figures of one enrolled photo, kept for staff review."""

    face_width_fraction: float
    brightness: float
    sharpness: float
    yaw: float
    pitch: float


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A reference face: the L2-normalised mean of jittered embeddings of the photos."""

    embedding: Embedding
    num_images: int
    num_jitters: int
    images: list[EnrolledImage]
    #: Largest distance between two enrolled photos (0.0 for one photo).
    spread: float


def face_distance(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Euclidean distance between two embeddings after L2 normalisation."""
    va = normalise(np.asarray(a, dtype=np.float64))
    vb = normalise(np.asarray(b, dtype=np.float64))
    return float(np.linalg.norm(va - vb))


def enrol(images: Sequence[RGBImage], config: EnrolmentConfig | None = None) -> Enrolment:
    """Build the reference from one or more photos of the borrower.

    Every photo must show exactly one face passing the (frontal) quality gate; with
    several photos they must agree within ``max_spread``. Raises :class:`EnrolmentError`.
    """
    config = config or EnrolmentConfig()
    if not images:
        raise EnrolmentError("no_images", "Take a photo of your face to enrol.")
    vectors: list[Embedding] = []
    summaries: list[EnrolledImage] = []
    for index, image in enumerate(images):
        analysis = analyze_frame(image, thorough=True)
        issues = check_quality(analysis, config.quality)
        if issues:
            raise EnrolmentError(issues[0].code, issues[0].message, index, issues)
        face = analysis.face
        assert face is not None
        vectors.append(embed(analysis, num_jitters=config.num_jitters))
        summaries.append(
            EnrolledImage(
                face_width_fraction=face.width_fraction,
                brightness=face.brightness,
                sharpness=face.sharpness,
                yaw=face.pose.yaw,
                pitch=face.pose.pitch,
            )
        )
    spread = max(
        (face_distance(a, b) for i, a in enumerate(vectors) for b in vectors[i + 1 :]),
        default=0.0,
    )
    if spread > config.max_spread:
        raise EnrolmentError(
            "enrolment_inconsistent",
            "The photos do not look like the same person. Enrol with photos of yourself only.",
        )
    return Enrolment(
        embedding=normalise(np.mean(vectors, axis=0)),
        num_images=len(vectors),
        num_jitters=config.num_jitters,
        images=summaries,
        spread=spread,
    )
