"""Verification attempts: quality, liveness and identity of one burst of frames, one decision.

Distances are Euclidean between L2-normalised 128-d embeddings; the thresholds come from
enrolment.py (chosen on lfw-dev, see docs/face-engine.md).

Cost model (2-core target, dlib without BLAS): analysing a 640x480 frame costs ~15 ms,
one embedding ~115 ms and holds the GIL, so wall time is close to CPU time. An attempt with
up to ``embed_all_up_to`` usable frames embeds all of them; a longer one embeds the frames
its decision rests on - the identity frame, the start frame, each step's peak - and spreads
what is left of ``max_embeddings`` evenly over the others. Frames left unembedded still
count for quality, motion and pose; see docs/face-engine.md.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .analysis import FrameAnalysis, analyze_frame, embed_many, normalise
from .enrolment import DEFAULT_CONSISTENCY_THRESHOLD, DEFAULT_MATCH_THRESHOLD
from .imaging import FloatImage, ImageDecodeError, decode_image, small_grey
from .liveness import (
    COME_CLOSER,
    NEUTRAL,
    STEP_DESCRIPTIONS,
    LivenessThresholds,
    PoseSample,
    match_challenge,
    validate_challenge,
)
from .models import Embedding, get_executor, get_models
from .motion import MotionFrame, MotionSummary, MotionThresholds, measure_motion
from .quality import (
    ISSUE_PRIORITY,
    MULTIPLE_FACES,
    NO_FACE,
    QualityConfig,
    QualityIssue,
    check_quality,
)


@dataclass(frozen=True, slots=True)
class VerificationConfig:
    """Thresholds of a verification attempt (see docs/face-engine.md for their origin)."""

    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    consistency_threshold: float = DEFAULT_CONSISTENCY_THRESHOLD
    quality: QualityConfig = field(default_factory=QualityConfig)
    liveness: LivenessThresholds = field(default_factory=LivenessThresholds)
    max_frames: int = 10
    #: Frames failing quality are reported and skipped; more than this share fails.
    max_bad_frame_fraction: float = 0.34
    detect_width: int = 320
    #: Embeddings (~115 ms each) are the cost of an attempt. Up to 5 usable frames are all
    #: embedded (~0.7 s); longer attempts embed the key frames plus others up to 4 in all,
    #: which keeps 10 frames at ~0.7 s and covers every key frame of a 3-step challenge.
    embed_all_up_to: int = 5
    max_embeddings: int = 4
    #: What counts as a repeated frame or a static pair (see motion.py).
    motion: MotionThresholds = field(default_factory=MotionThresholds)
    #: Repeated frames are dropped; more than this many fails the attempt.
    max_repeated_frames: int = 1
    #: More than this share of static consecutive pairs means a still picture.
    max_static_pair_fraction: float = 0.5


@dataclass(frozen=True, slots=True)
class FrameReport:
    """Everything measured on one frame of an attempt."""

    index: int
    decoded: bool
    face_count: int
    box: tuple[int, int, int, int] | None
    yaw: float | None
    pitch: float | None
    face_width_fraction: float | None
    brightness: float | None
    sharpness: float | None
    issues: list[QualityIssue]
    usable: bool
    pose_label: str | None
    difference_from_previous: float | None
    distance_to_identity_frame: float | None
    distance_to_reference: float | None
    role: str | None


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """The decision on one attempt; ``failure_code`` is the first thing to fix."""

    passed: bool
    failure_code: str | None
    failure_message: str | None
    challenge: list[str]
    steps_seen: list[str]
    step_frames: list[tuple[str, int]]
    start_frame: int | None
    identity_frame: int | None
    best_distance: float | None
    consistency_distance: float | None
    match_threshold: float
    consistency_threshold: float
    motion: MotionSummary
    frames: list[FrameReport]
    embedded_frames: int
    timings: dict[str, float]
    #: For ``challenge_incomplete``: the first challenge step that was not seen.
    missing_step: str | None = None
    #: Every frame was read and not one showed a face (failure code ``no_face``): an empty
    #: scene the page should not have sent. The caller guides the borrower rather than
    #: counting it as a failed check of the person.
    no_face_seen: bool = False


FAILURE_MESSAGES: dict[str, str] = {
    "no_frames": "No pictures arrived from the camera. Allow camera access and try again.",
    "too_many_frames": "Too many pictures were sent. Please try again.",
    "frames_repeated": "The camera sent the same picture more than once. Close other apps "
    "that use the camera and try again.",
    "no_motion": "We only saw a still picture. Hold the phone in front of your face and "
    "follow the movements on the screen.",
    "not_enough_usable_frames": "Too few pictures showed your face clearly. Look at the "
    "camera in good light and follow the movements slowly.",
    "challenge_no_frontal_start": "Start by looking straight at the camera, then follow "
    "the movements on the screen.",
    "challenge_wrong_order": "You did the movements in a different order. Please do them "
    "in the order shown: {steps}.",
    "challenge_extra_moves": "We saw movements we did not ask for. Please do only the "
    "movements shown, in order: {steps}.",
    "challenge_incomplete": "We didn't see you {missing}. Please follow the movements on "
    "the screen, in order: {steps}.",
    "different_person": "The face changed during the check. Only you should be in front of "
    "the camera.",
    "face_mismatch": "Your face doesn't match the face you enrolled. Make sure it is you, "
    "in good light, looking at the camera, and try again.",
    "no_face": "None of the pictures showed a face. Hold the phone in front of you with your "
    "whole face inside the oval, in good light, and start again.",
}


REPEATED_FRAME_MESSAGE = "This picture is the same as an earlier one."


@dataclass(slots=True)
class _Frame:
    index: int
    analysis: FrameAnalysis | None
    thumbnail: FloatImage | None
    issues: list[QualityIssue]
    decode_error: ImageDecodeError | None = None


def _analyse_bytes(index: int, data: bytes, config: VerificationConfig) -> _Frame:
    try:
        image = decode_image(data)
    except ImageDecodeError as error:
        issue = QualityIssue("unreadable_frame", error.message)
        return _Frame(index, None, None, [issue], error)
    analysis = analyze_frame(
        image, detect_width=config.detect_width, thorough=False, keep_image=True
    )
    return _Frame(index, analysis, small_grey(image), check_quality(analysis, config.quality))


def _failure(code: str, challenge: Sequence[str], missing: str | None = None) -> str:
    steps = ", ".join(STEP_DESCRIPTIONS[step] for step in challenge)
    return FAILURE_MESSAGES[code].format(
        steps=steps, missing=STEP_DESCRIPTIONS.get(missing or "", "")
    )


def verify_attempt(
    frames: Sequence[bytes],
    challenge: Sequence[str],
    reference_embedding: npt.ArrayLike,
    config: VerificationConfig | None = None,
) -> AttemptResult:
    """Decide one face-check attempt from its JPEG frames (in capture order).

    Nonces, expiry and matching the attempt to its session are the caller's job.
    """
    started = time.perf_counter()
    config = config or VerificationConfig()
    steps = validate_challenge(challenge)
    reference = normalise(np.asarray(reference_embedding, dtype=np.float64).reshape(-1))
    if reference.shape != (128,):
        raise ValueError("reference_embedding must have 128 values")
    timings: dict[str, float] = {}

    if not frames or len(frames) > config.max_frames:
        code = "no_frames" if not frames else "too_many_frames"
        timings["total"] = time.perf_counter() - started
        return AttemptResult(
            passed=False,
            failure_code=code,
            failure_message=_failure(code, steps),
            challenge=steps,
            steps_seen=[],
            step_frames=[],
            start_frame=None,
            identity_frame=None,
            best_distance=None,
            consistency_distance=None,
            match_threshold=config.match_threshold,
            consistency_threshold=config.consistency_threshold,
            motion=MotionSummary(0, 0, 0, None),
            frames=[],
            embedded_frames=0,
            timings=timings,
        )
    get_models()  # load before fanning out, so pool threads do not queue on the load lock
    analysed = list(
        get_executor().map(lambda item: _analyse_bytes(item[0], item[1], config), enumerate(frames))
    )
    timings["decode_analyse"] = time.perf_counter() - started

    motion, differences, repeated = measure_motion(
        [
            MotionFrame(
                frame.index,
                data,
                frame.thumbnail,
                frame.analysis.face if frame.analysis is not None else None,
            )
            for frame, data in zip(analysed, frames, strict=True)
        ],
        config.motion,
    )
    for frame in analysed:
        if frame.index in repeated:
            frame.issues.insert(0, QualityIssue("repeated_frame", REPEATED_FRAME_MESSAGE))
    usable = [frame for frame in analysed if not frame.issues]
    samples = [
        PoseSample(
            frame.index,
            frame.analysis.face.pose.yaw,
            frame.analysis.face.pose.pitch,
            frame.analysis.face.inter_ocular_px,
        )
        for frame in usable
        if frame.analysis is not None and frame.analysis.face is not None
    ]
    outcome = match_challenge(samples, steps, config.liveness)

    identity = _pick_identity_frame(usable, outcome.labels, config)
    roles: dict[int, str] = {}
    if outcome.start_frame is not None:
        roles[outcome.start_frame] = "start"
    for step, index in outcome.step_frames:
        roles.setdefault(index, step)
    recheck: Future[QualityIssue | None] | None = None
    if identity is not None:
        roles[identity.index] = "identity"
        # The upsampled detector releases the GIL: run it while this thread embeds.
        recheck = get_executor().submit(_recheck_identity_frame, identity, config)

    embed_started = time.perf_counter()
    embeddings = _embed_frames(identity, usable, roles, config)
    timings["embed"] = time.perf_counter() - embed_started
    identity_issue = recheck.result() if recheck is not None else None
    if identity is not None and identity_issue is not None:
        identity.issues.append(identity_issue)

    best_distance: float | None = None
    consistency: float | None = None
    to_identity: dict[int, float] = {}
    to_reference: dict[int, float] = {}
    if identity is not None and identity.index in embeddings:
        anchor = embeddings[identity.index]
        for index, vector in embeddings.items():
            to_identity[index] = float(np.linalg.norm(vector - anchor))
            to_reference[index] = float(np.linalg.norm(vector - reference))
        best_distance = to_reference[identity.index]
        consistency = max(to_identity.values())

    failure: tuple[str, str] | None
    fresh = [frame for frame in analysed if frame.index not in repeated]
    bad = [frame for frame in fresh if frame.issues]
    no_face_seen = all(frame.analysis is not None and not _shows_face(frame) for frame in analysed)
    if no_face_seen:
        failure = (NO_FACE, _failure(NO_FACE, steps))
    elif len(repeated) > config.max_repeated_frames:
        failure = ("frames_repeated", _failure("frames_repeated", steps))
    elif len(bad) > config.max_bad_frame_fraction * len(fresh):
        worst = _most_common_issue(bad)
        failure = (worst.code, worst.message)
    elif motion.pairs and motion.static_pairs > config.max_static_pair_fraction * motion.pairs:
        failure = ("no_motion", _failure("no_motion", steps))
    elif len(samples) < len(steps) + 1:
        failure = ("not_enough_usable_frames", _failure("not_enough_usable_frames", steps))
    elif outcome.failure is not None:
        failure = (outcome.failure, _failure(outcome.failure, steps, outcome.missing_step))
    elif identity_issue is not None:
        failure = (identity_issue.code, identity_issue.message)
    elif identity is None or best_distance is None or consistency is None:
        code = "challenge_no_frontal_start"
        failure = (code, _failure(code, steps))
    elif consistency > config.consistency_threshold:
        failure = ("different_person", _failure("different_person", steps))
    elif best_distance > config.match_threshold:
        failure = ("face_mismatch", _failure("face_mismatch", steps))
    else:
        failure = None

    timings["total"] = time.perf_counter() - started
    return AttemptResult(
        passed=failure is None,
        failure_code=failure[0] if failure else None,
        failure_message=failure[1] if failure else None,
        challenge=steps,
        steps_seen=outcome.events,
        step_frames=outcome.step_frames,
        start_frame=outcome.start_frame,
        identity_frame=identity.index if identity is not None else None,
        best_distance=best_distance,
        consistency_distance=consistency,
        match_threshold=config.match_threshold,
        consistency_threshold=config.consistency_threshold,
        motion=motion,
        frames=[
            _report(frame, outcome.labels, differences, to_identity, to_reference, roles)
            for frame in analysed
        ],
        embedded_frames=len(embeddings),
        timings=timings,
        missing_step=outcome.missing_step if failure and failure[0] == outcome.failure else None,
        no_face_seen=no_face_seen,
    )


def _shows_face(frame: _Frame) -> bool:
    """Whether the quality gate found a face in the frame at all (a trusted weak detection,
    e.g. a masked face, counts: the borrower is there, with something to fix)."""
    analysis = frame.analysis
    if analysis is None or analysis.face is None:
        return False
    return not any(issue.code == NO_FACE for issue in frame.issues)


def _most_common_issue(bad: Sequence[_Frame]) -> QualityIssue:
    """The issue to report for an attempt with too many bad frames: the most frequent
    first issue, ties broken by priority."""
    firsts = [frame.issues[0] for frame in bad]
    counts = Counter(issue.code for issue in firsts)

    def rank(code: str) -> tuple[int, int]:
        priority = ISSUE_PRIORITY.index(code) if code in ISSUE_PRIORITY else -1
        return (-counts[code], priority)

    code = min(counts, key=rank)
    return next(issue for issue in firsts if issue.code == code)


def _pick_identity_frame(
    usable: Sequence[_Frame], labels: dict[int, str], config: VerificationConfig
) -> _Frame | None:
    """The frame the identity decision rests on: frontal (neutral, or the come-closer
    peak, which is frontal and the largest face), with the largest, then sharpest face."""
    candidates = []
    for frame in usable:
        analysis = frame.analysis
        if analysis is None or analysis.face is None:
            continue
        if labels.get(frame.index) not in (NEUTRAL, COME_CLOSER):
            continue
        if abs(analysis.face.pose.yaw) > config.liveness.frontal_yaw:
            continue
        face = analysis.face
        candidates.append((face.inter_ocular_px, face.sharpness, -frame.index, frame))
    if not candidates:
        return None
    return max(candidates, key=lambda item: item[:3])[3]


def _recheck_identity_frame(frame: _Frame, config: VerificationConfig) -> QualityIssue | None:
    """Run the thorough (upsampled) detector on the identity frame: the quick pass (no
    upsampling) misses smaller faces, so it can miss a second person standing a little
    further back whose face is still of comparable size (see
    ``QualityConfig.background_face_ratio``), and this frame is the one that decides."""
    analysis = frame.analysis
    if analysis is None or analysis.image is None:
        return None
    thorough = analyze_frame(analysis.image, detect_width=config.detect_width, thorough=True)
    if thorough.face_count > 1:
        issues = [i for i in check_quality(thorough, config.quality) if i.code == MULTIPLE_FACES]
        return issues[0] if issues else None
    return None


def _embed_frames(
    identity: _Frame | None,
    usable: Sequence[_Frame],
    roles: dict[int, str],
    config: VerificationConfig,
) -> dict[int, Embedding]:
    """Embed every usable frame of a short attempt; otherwise the identity frame and the
    key frames (always, even beyond the budget), then spread the rest of the budget."""
    by_index = {
        frame.index: frame
        for frame in usable
        if frame.analysis is not None and frame.analysis.face is not None
    }
    budget = len(by_index) if len(by_index) <= config.embed_all_up_to else config.max_embeddings
    order: list[int] = []
    if identity is not None and identity.index in by_index:
        order.append(identity.index)
    order.extend(index for index in sorted(roles) if index in by_index and index not in order)
    remaining = [index for index in sorted(by_index) if index not in order]
    while remaining and len(order) < budget:
        chosen = max(remaining, key=lambda i: (min(abs(i - j) for j in order) if order else 0, -i))
        order.append(chosen)
        remaining.remove(chosen)
    analyses = [by_index[index].analysis for index in order]
    vectors = embed_many([analysis for analysis in analyses if analysis is not None])
    return dict(zip(order, vectors, strict=True))


def _report(
    frame: _Frame,
    labels: dict[int, str],
    differences: dict[int, float],
    to_identity: dict[int, float],
    to_reference: dict[int, float],
    roles: dict[int, str],
) -> FrameReport:
    analysis = frame.analysis
    face = analysis.face if analysis is not None else None
    return FrameReport(
        index=frame.index,
        decoded=analysis is not None,
        face_count=analysis.face_count if analysis is not None else 0,
        box=face.box if face is not None else None,
        yaw=face.pose.yaw if face is not None else None,
        pitch=face.pose.pitch if face is not None else None,
        face_width_fraction=face.width_fraction if face is not None else None,
        brightness=face.brightness if face is not None else None,
        sharpness=face.sharpness if face is not None else None,
        issues=list(frame.issues),
        usable=not frame.issues,
        pose_label=labels.get(frame.index),
        difference_from_previous=differences.get(frame.index),
        distance_to_identity_frame=to_identity.get(frame.index),
        distance_to_reference=to_reference.get(frame.index),
        role=roles.get(frame.index),
    )
