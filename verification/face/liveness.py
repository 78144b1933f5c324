"""Liveness challenges the 5-point landmarks can really see, and finding them in frames.

Vocabulary (each step is judged against the borrower's own first, frontal frame):

* ``turn_left`` / ``turn_right``: the borrower turns their head to **their own** left or
  right. Frames are unmirrored (what the camera sees, not a selfie preview), so turning to
  one's own left moves the nose towards the right of the image: yaw goes up.
* ``look_up`` / ``look_down``: the borrower tilts their chin up or nods down; the nose base
  moves towards or away from the eye line (pitch goes down or up).
* ``come_closer``: the face gets at least ``closer_factor`` times larger (distance
  between the eyes).

Blinking and mouth opening are not offered: the 5-point model has no eyelid or lip points.

Segmentation: every usable frame gets a label (``neutral``, ``moving`` or a step name) by
thresholds on the change from the start frame; consecutive frames with the same step label
form one event, and repeated events of the same step are merged (the borrower wobbling).
The attempt performed the challenge when the event list equals the challenge exactly:
missing steps, steps in the wrong order and unrequested extra movements all fail, the last
because a recording of someone doing every movement would otherwise pass any challenge.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

TURN_LEFT = "turn_left"
TURN_RIGHT = "turn_right"
LOOK_UP = "look_up"
LOOK_DOWN = "look_down"
COME_CLOSER = "come_closer"

CHALLENGE_STEPS: tuple[str, ...] = (TURN_LEFT, TURN_RIGHT, LOOK_UP, LOOK_DOWN, COME_CLOSER)
TURN_STEPS = frozenset({TURN_LEFT, TURN_RIGHT})

#: What the borrower is told for each step (the page shows these, in order).
STEP_INSTRUCTIONS: dict[str, str] = {
    TURN_LEFT: "Slowly turn your head to your left, then back to the camera.",
    TURN_RIGHT: "Slowly turn your head to your right, then back to the camera.",
    LOOK_UP: "Tilt your chin up and look up, then back at the camera.",
    LOOK_DOWN: "Nod your head down, then look back at the camera.",
    COME_CLOSER: "Bring the phone closer to your face.",
}

#: How a missing step is described in failure messages.
STEP_DESCRIPTIONS: dict[str, str] = {
    TURN_LEFT: "turn your head to your left",
    TURN_RIGHT: "turn your head to your right",
    LOOK_UP: "look up",
    LOOK_DOWN: "look down",
    COME_CLOSER: "come closer to the camera",
}

NEUTRAL = "neutral"
MOVING = "moving"


@dataclass(frozen=True, slots=True)
class LivenessThresholds:
    """Pose changes that count as a step; in the units of ``analysis.HeadPose``.

    ``turn_yaw`` 0.15 is roughly 18 degrees: a deliberate turn (asked to turn, people turn
    30+ degrees, ~0.25), while a borrower holding still moves by < 0.02 between frames.
    Pitch thresholds are relative to the start frame because the neutral value differs
    between people (lfw-dev spread 0.07); 0.10 is roughly 12-15 degrees of nod, twice the
    spread of one person's frontal pitch across different photos (0.05) and far above its
    spread within one capture.
    """

    turn_yaw: float = 0.15
    up_pitch: float = 0.10
    down_pitch: float = 0.10
    closer_factor: float = 1.3
    #: The start frame must be this frontal (|yaw|), ~10 degrees.
    frontal_yaw: float = 0.08
    #: Pitch steps only count while the head is not turned more than this: a turned head
    #: also lowers the measured pitch, which must not be read as "look up".
    pitch_max_yaw_change: float = 0.08


@dataclass(frozen=True, slots=True)
class PoseSample:
    """The measurements of one usable frame that the challenge is judged on."""

    frame_index: int
    yaw: float
    pitch: float
    #: Inter-ocular distance in pixels: the face's size. Unlike the HOG box, which jumps
    #: between pyramid levels (~20%), it changes smoothly with distance to the camera.
    face_size: float


@dataclass(frozen=True, slots=True)
class ChallengeOutcome:
    """Result of matching the frames against the challenge.

    ``failure`` is None when the challenge was performed; otherwise one of
    ``challenge_no_frontal_start``, ``challenge_incomplete``, ``challenge_wrong_order``,
    ``challenge_extra_moves``. ``step_frames`` maps each performed step (in challenge
    order) to the frame index where it was strongest.
    """

    failure: str | None
    detail: str
    labels: dict[int, str]
    events: list[str]
    start_frame: int | None
    step_frames: list[tuple[str, int]]
    missing_step: str | None = None


def validate_challenge(challenge: Sequence[str]) -> list[str]:
    """Reject malformed challenges (a programming error, not the borrower's)."""
    steps = list(challenge)
    if not steps:
        raise ValueError("A challenge needs at least one step")
    for step in steps:
        if step not in CHALLENGE_STEPS:
            raise ValueError(f"Unknown challenge step {step!r}; expected one of {CHALLENGE_STEPS}")
    for first, second in itertools.pairwise(steps):
        if first == second:
            raise ValueError("A challenge cannot repeat the same step twice in a row")
    if COME_CLOSER in steps[:-1]:
        raise ValueError("come_closer can only be the last step (the face stays large after)")
    return steps


def random_challenge(rng: random.Random, steps: int = 2) -> list[str]:
    """Draw a challenge of ``steps`` (2 or 3) steps.

    Pass ``secrets.SystemRandom()`` in production; tests pass a seeded ``random.Random``.
    Rules: no step twice in a row; at least one head turn (the only movement a flat photo
    cannot imitate by being tilted, see analysis.py); ``come_closer`` only as the last step.
    """
    if steps not in (2, 3):
        raise ValueError("A challenge has 2 or 3 steps")
    while True:
        drawn: list[str] = []
        for position in range(steps):
            choices = [
                step
                for step in CHALLENGE_STEPS
                if (not drawn or step != drawn[-1])
                and (step != COME_CLOSER or position == steps - 1)
            ]
            drawn.append(rng.choice(choices))
        if TURN_STEPS.intersection(drawn):
            return drawn


def _label(sample: PoseSample, start: PoseSample, thresholds: LivenessThresholds) -> str:
    d_yaw = sample.yaw - start.yaw
    d_pitch = sample.pitch - start.pitch
    growth = sample.face_size / start.face_size if start.face_size > 0 else 1.0
    scores: dict[str, float] = {
        TURN_LEFT: d_yaw / thresholds.turn_yaw,
        TURN_RIGHT: -d_yaw / thresholds.turn_yaw,
        COME_CLOSER: (growth - 1.0) / (thresholds.closer_factor - 1.0),
    }
    if abs(d_yaw) <= thresholds.pitch_max_yaw_change:
        scores[LOOK_UP] = -d_pitch / thresholds.up_pitch
        scores[LOOK_DOWN] = d_pitch / thresholds.down_pitch
    best = max(scores, key=lambda step: scores[step])
    if scores[best] >= 1.0:
        return best
    if max(scores.values()) < 0.5 and abs(d_yaw) < thresholds.turn_yaw / 2:
        return NEUTRAL
    return MOVING


def _strength(sample: PoseSample, start: PoseSample, step: str) -> float:
    if step == TURN_LEFT:
        return sample.yaw - start.yaw
    if step == TURN_RIGHT:
        return start.yaw - sample.yaw
    if step == LOOK_UP:
        return start.pitch - sample.pitch
    if step == LOOK_DOWN:
        return sample.pitch - start.pitch
    return sample.face_size / start.face_size


def match_challenge(
    samples: Sequence[PoseSample],
    challenge: Sequence[str],
    thresholds: LivenessThresholds,
) -> ChallengeOutcome:
    """Judge whether ``samples`` (usable frames, in capture order) perform ``challenge``."""
    steps = validate_challenge(challenge)
    if not samples:
        return ChallengeOutcome("challenge_no_frontal_start", "no usable frames", {}, [], None, [])
    start = samples[0]
    if abs(start.yaw) > thresholds.frontal_yaw:
        return ChallengeOutcome(
            "challenge_no_frontal_start",
            f"first usable frame {start.frame_index} has yaw {start.yaw:+.2f}",
            {start.frame_index: MOVING},
            [],
            start.frame_index,
            [],
        )
    labels = {s.frame_index: _label(s, start, thresholds) for s in samples}
    labels[start.frame_index] = NEUTRAL
    events: list[str] = []
    peaks: list[int] = []
    for sample in samples:
        label = labels[sample.frame_index]
        if label in (NEUTRAL, MOVING):
            continue
        if events and events[-1] == label:
            peak = next(s for s in samples if s.frame_index == peaks[-1])
            if _strength(sample, start, label) > _strength(peak, start, label):
                peaks[-1] = sample.frame_index
            continue
        events.append(label)
        peaks.append(sample.frame_index)
    step_frames = list(zip(events, peaks, strict=True))
    if events == steps:
        return ChallengeOutcome(None, "performed", labels, events, start.frame_index, step_frames)
    matched = _subsequence_prefix(steps, events)
    if matched == len(steps):
        return ChallengeOutcome(
            "challenge_extra_moves",
            f"saw {events}, expected {steps}",
            labels,
            events,
            start.frame_index,
            step_frames,
        )
    if set(steps) <= set(events):
        return ChallengeOutcome(
            "challenge_wrong_order",
            f"saw {events}, expected {steps}",
            labels,
            events,
            start.frame_index,
            step_frames,
        )
    missing = next(step for step in steps if step not in events)
    return ChallengeOutcome(
        "challenge_incomplete",
        f"saw {events}, expected {steps}",
        labels,
        events,
        start.frame_index,
        step_frames,
        missing_step=missing,
    )


def _subsequence_prefix(steps: Sequence[str], events: Sequence[str]) -> int:
    """How many leading challenge steps appear, in order, within ``events``."""
    matched = 0
    for event in events:
        if matched < len(steps) and event == steps[matched]:
            matched += 1
    return matched
