"""Face-verification engine of microlend: pure Python on dlib, no Django.

Pipeline per frame: decode (JPEG/PNG, EXIF orientation, size limits) -> HOG detection on a
320-px-wide copy -> 5-point landmarks on the full frame -> head pose, aligned 150-px chip,
brightness, exposure, sharpness and occlusion figures -> (only when needed) the 128-d
ResNet embedding. On top: the capture-quality gate, enrolment, random liveness
challenges and the verification of an attempt. See docs/face-engine.md.

The dlib models load once per process, on first use (:func:`get_models` to warm up).
"""

from .analysis import (
    FaceMeasurements,
    FrameAnalysis,
    HeadPose,
    NoFaceError,
    analyze_frame,
    embed,
)
from .enrolment import (
    DEFAULT_CONSISTENCY_THRESHOLD,
    DEFAULT_MATCH_THRESHOLD,
    EnrolledImage,
    Enrolment,
    EnrolmentConfig,
    EnrolmentError,
    enrol,
    face_distance,
)
from .imaging import ImageDecodeError, decode_image
from .liveness import (
    CHALLENGE_STEPS,
    COME_CLOSER,
    LOOK_DOWN,
    LOOK_UP,
    STEP_INSTRUCTIONS,
    TURN_LEFT,
    TURN_RIGHT,
    LivenessThresholds,
    random_challenge,
)
from .models import FaceModelsUnavailable, get_models
from .motion import MotionSummary, MotionThresholds
from .occlusion import OcclusionScores
from .quality import ISSUE_PRIORITY, QualityConfig, QualityIssue, check_quality
from .verify import (
    AttemptResult,
    FrameReport,
    VerificationConfig,
    verify_attempt,
)

__all__ = [
    "CHALLENGE_STEPS",
    "COME_CLOSER",
    "DEFAULT_CONSISTENCY_THRESHOLD",
    "DEFAULT_MATCH_THRESHOLD",
    "ISSUE_PRIORITY",
    "LOOK_DOWN",
    "LOOK_UP",
    "STEP_INSTRUCTIONS",
    "TURN_LEFT",
    "TURN_RIGHT",
    "AttemptResult",
    "EnrolledImage",
    "Enrolment",
    "EnrolmentConfig",
    "EnrolmentError",
    "FaceMeasurements",
    "FaceModelsUnavailable",
    "FrameAnalysis",
    "FrameReport",
    "HeadPose",
    "ImageDecodeError",
    "LivenessThresholds",
    "MotionSummary",
    "MotionThresholds",
    "NoFaceError",
    "OcclusionScores",
    "QualityConfig",
    "QualityIssue",
    "VerificationConfig",
    "analyze_frame",
    "check_quality",
    "decode_image",
    "embed",
    "enrol",
    "face_distance",
    "get_models",
    "random_challenge",
    "verify_attempt",
]
