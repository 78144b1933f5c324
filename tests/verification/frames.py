"""Frame-generation helpers for face-check tests (engine, Django and browser tests).

Everything here works on real photos (``/work/shared/testdata``) and degrades or arranges
them the way a camera, a borrower or an attacker would: too dark, over-exposed, blurred,
eyes behind sunglasses or a hand, the lower face behind a surgical mask or a hand, a hat
brim shading the eyes, a 250x250 LFW photo placed into a 640x480 webcam-sized frame, a
"come closer" frame, and an MJPEG file that Chrome's
``--use-file-for-fake-video-capture=<file>.mjpeg`` plays as a camera.

Occluders are placed from the photo's own 5-point landmarks (eye corners and nose base),
so they cover the same anatomy whatever the face size or tilt. All randomness comes from
a seeded ``numpy.random.Generator`` so tests are reproducible.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

RGB = npt.NDArray[np.uint8]
Landmarks = Sequence[tuple[float, float]]

TESTDATA = Path("/work/shared/testdata")
FACES_DIR = TESTDATA / "faces"
LFW_DIR = TESTDATA / "lfw-dev"
LFW_IMAGES = LFW_DIR / "images"
LFW_PAIRS = LFW_DIR / "pairs.tsv"

FRAME_WIDTH = 640
FRAME_HEIGHT = 480


def load_rgb(path: str | Path) -> RGB:
    """Load a photo as an RGB array (alpha composited on white, like decode_image)."""
    with Image.open(path) as image:
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return np.asarray(Image.alpha_composite(white, rgba).convert("RGB"))
        return np.asarray(image.convert("RGB"))


def lfw_path(relative: str) -> Path:
    """Path of an lfw-dev image given as ``Name/Name_0001.jpg``."""
    return LFW_IMAGES / relative


def lfw_person_photos(name: str) -> list[Path]:
    return sorted((LFW_IMAGES / name).glob("*.jpg"))


def read_lfw_pairs() -> list[tuple[bool, str, str]]:
    """Rows of pairs.tsv as (same_person, image_a, image_b)."""
    rows: list[tuple[bool, str, str]] = []
    for line in LFW_PAIRS.read_text().splitlines()[1:]:
        same, a, b = line.split("\t")
        rows.append((same == "1", a, b))
    return rows


def encode_jpeg(image: RGB, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def encode_png(image: RGB) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


# --- Photometric degradations -------------------------------------------------------------


def darken(image: RGB, gain: float = 0.3, gamma: float = 1.4) -> RGB:
    """A dim room: less light (``gain``) and the crushed shadows of a cheap sensor."""
    scaled = (image.astype(np.float32) / 255.0) ** gamma * gain
    result: RGB = np.clip(scaled * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return result


def overexpose(image: RGB, gain: float = 2.6) -> RGB:
    """Face in direct sunlight / auto-exposure on a dark background: highlights clip."""
    result: RGB = np.clip(image.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    return result


def blur(image: RGB, sigma: float) -> RGB:
    """Gaussian blur (focus miss or motion); ``sigma`` in pixels of this image."""
    return np.asarray(Image.fromarray(image).filter(ImageFilter.GaussianBlur(radius=sigma)))


def blur_face(image: RGB, landmarks: Landmarks, strength: float = 0.03) -> RGB:
    """Blur scaled to the face: sigma = ``strength`` x face width, so the same amount of
    detail is lost on a 60 px and a 400 px face."""
    geometry = FaceGeometry.from_landmarks(landmarks)
    return blur(image, max(1.0, strength * 2.0 * geometry.iod))


def add_noise(image: RGB, sigma: float, rng: np.random.Generator) -> RGB:
    """Sensor noise, so repeated frames of a still scene differ as they do on a camera."""
    noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape)
    return np.clip(noisy + 0.5, 0, 255).astype(np.uint8)


# --- Geometry from the 5 landmarks --------------------------------------------------------


@dataclass(frozen=True)
class FaceGeometry:
    """Face coordinate frame: origin at the eye midpoint, x along the eye line (towards the
    image-right eye), y down the face, unit = inter-ocular distance (iod)."""

    origin: tuple[float, float]
    ux: tuple[float, float]
    uy: tuple[float, float]
    iod: float
    nose_drop: float

    @classmethod
    def from_landmarks(cls, landmarks: Landmarks) -> FaceGeometry:
        pts = np.asarray(landmarks, dtype=np.float64)
        right_eye = pts[0:2].mean(axis=0)
        left_eye = pts[2:4].mean(axis=0)
        line = right_eye - left_eye
        iod = float(np.hypot(*line))
        ux = line / iod
        uy = np.array([-ux[1], ux[0]])
        origin = (right_eye + left_eye) / 2.0
        nose_drop = float((pts[4] - origin) @ uy) / iod
        return cls(
            origin=(float(origin[0]), float(origin[1])),
            ux=(float(ux[0]), float(ux[1])),
            uy=(float(uy[0]), float(uy[1])),
            iod=iod,
            nose_drop=nose_drop,
        )

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Image coordinates of face coordinates (x, y) in iod units."""
        return (
            self.origin[0] + (x * self.ux[0] + y * self.uy[0]) * self.iod,
            self.origin[1] + (x * self.ux[1] + y * self.uy[1]) * self.iod,
        )

    def polygon(self, points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        return [self.point(x, y) for x, y in points]

    def ellipse(
        self, cx: float, cy: float, rx: float, ry: float, steps: int = 48
    ) -> list[tuple[float, float]]:
        return self.polygon(
            (cx + rx * math.cos(t), cy + ry * math.sin(t))
            for t in np.linspace(0.0, 2.0 * math.pi, steps, endpoint=False)
        )


def _mask_layer(
    shape: tuple[int, int], polygon: list[tuple[float, float]], soft: float
) -> npt.NDArray[np.float32]:
    layer = Image.new("L", (shape[1], shape[0]), 0)
    ImageDraw.Draw(layer).polygon(polygon, fill=255)
    if soft > 0:
        layer = layer.filter(ImageFilter.GaussianBlur(radius=soft))
    return np.asarray(layer, dtype=np.float32) / 255.0


def _composite(image: RGB, overlay: npt.NDArray[np.float32], alpha: npt.NDArray[np.float32]) -> RGB:
    base = image.astype(np.float32)
    mixed = base * (1.0 - alpha[..., None]) + overlay * alpha[..., None]
    result: RGB = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return result


def skin_colour(image: RGB, landmarks: Landmarks) -> tuple[float, float, float]:
    """Median colour of the cheeks under the eyes: the hardest colour for a hand patch."""
    geometry = FaceGeometry.from_landmarks(landmarks)
    samples = []
    for side in (-1.0, 1.0):
        layer = _mask_layer(image.shape[:2], geometry.ellipse(0.62 * side, 0.55, 0.16, 0.12), 0)
        samples.append(image[layer > 0.5])
    pixels = np.concatenate(samples)
    r, g, b = np.median(pixels, axis=0)
    return float(r), float(g), float(b)


# --- Occluders ----------------------------------------------------------------------------


def sunglasses(
    image: RGB, landmarks: Landmarks, colour: tuple[int, int, int] = (18, 18, 22)
) -> RGB:
    """Two dark lenses joined by a bridge, with a faint reflection gradient."""
    g = FaceGeometry.from_landmarks(landmarks)
    lenses = [g.ellipse(side * 0.52, 0.02, 0.42, 0.3) for side in (-1.0, 1.0)]
    bridge = g.polygon([(-0.14, -0.08), (0.14, -0.08), (0.14, 0.02), (-0.14, 0.02)])
    alpha = np.zeros(image.shape[:2], np.float32)
    for polygon in (*lenses, bridge):
        alpha = np.maximum(alpha, _mask_layer(image.shape[:2], polygon, g.iod * 0.02))
    rows = np.linspace(1.0, 0.0, image.shape[0], dtype=np.float32)[:, None, None]
    overlay = np.asarray(colour, np.float32)[None, None, :] + 25.0 * rows
    overlay = np.broadcast_to(overlay, image.shape).astype(np.float32)
    return _composite(image, overlay, alpha)


def black_bar(image: RGB, landmarks: Landmarks) -> RGB:
    """A plain dark bar over both eyes (the crudest sunglasses)."""
    g = FaceGeometry.from_landmarks(landmarks)
    polygon = g.polygon([(-1.0, -0.32), (1.0, -0.32), (1.0, 0.3), (-1.0, 0.3)])
    alpha = _mask_layer(image.shape[:2], polygon, 0)
    overlay = np.full(image.shape, 12.0, np.float32)
    return _composite(image, overlay, alpha)


def _hand_overlay(
    image: RGB,
    landmarks: Landmarks,
    polygon: list[tuple[float, float]],
    finger_lines: Sequence[tuple[tuple[float, float], tuple[float, float]]],
    rng: np.random.Generator,
) -> RGB:
    """Skin of the borrower's own tone (the hardest case for a colour test) with soft
    shading, fine noise and the faint shadows between fingers."""
    g = FaceGeometry.from_landmarks(landmarks)
    r, gr, b = skin_colour(image, landmarks)
    tone = np.array([r * 1.03 + 4, gr, b * 0.97], np.float32)
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    across = (xs - g.origin[0]) * g.ux[0] + (ys - g.origin[1]) * g.ux[1]
    shade = 1.0 - 0.15 * (across / (1.6 * g.iod)) ** 2
    overlay = tone[None, None, :] * np.clip(shade, 0.6, 1.0)[..., None]
    overlay = overlay + rng.normal(0.0, 2.0, image.shape).astype(np.float32)
    gaps = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(gaps)
    for start, end in finger_lines:
        draw.line([g.point(*start), g.point(*end)], fill=255, width=max(1, round(g.iod * 0.025)))
    gap_layer = np.asarray(gaps.filter(ImageFilter.GaussianBlur(g.iod * 0.025)), np.float32)
    overlay = overlay * (1.0 - 0.2 * gap_layer[..., None] / 255.0)
    alpha = _mask_layer(image.shape[:2], g.polygon(polygon), g.iod * 0.04)
    return _composite(image, overlay.astype(np.float32), alpha)


def _rounded(
    left: float, top: float, right: float, bottom: float, steps: int = 12
) -> list[tuple[float, float]]:
    """A rounded-rectangle outline (a hand seen flat is roughly that)."""
    radius = min(right - left, bottom - top) * 0.3
    corners = [
        (right - radius, bottom - radius, 0.0),
        (left + radius, bottom - radius, 0.5 * math.pi),
        (left + radius, top + radius, math.pi),
        (right - radius, top + radius, 1.5 * math.pi),
    ]
    points: list[tuple[float, float]] = []
    for cx, cy, start in corners:
        for t in np.linspace(start, start + 0.5 * math.pi, steps):
            points.append((cx + radius * math.cos(t), cy + radius * math.sin(t)))
    return points


def hand_over_eyes(image: RGB, landmarks: Landmarks, seed: int = 0) -> RGB:
    """A skin-coloured hand across both eyes, fingers roughly horizontal."""
    polygon = _rounded(-1.3, -0.45, 1.35, 0.33)
    fingers = [((-1.2, y), (1.25, y - 0.03)) for y in (-0.2, 0.0, 0.18)]
    return _hand_overlay(image, landmarks, polygon, fingers, np.random.default_rng(seed))


def hand_over_mouth(image: RGB, landmarks: Landmarks, seed: int = 0) -> RGB:
    """A skin-coloured hand across the mouth and chin."""
    polygon = _rounded(-1.2, 0.88, 1.25, 1.85)
    fingers = [((-1.15, y), (1.2, y - 0.04)) for y in (1.12, 1.35, 1.58)]
    return _hand_overlay(image, landmarks, polygon, fingers, np.random.default_rng(seed))


def surgical_mask(
    image: RGB,
    landmarks: Landmarks,
    colour: tuple[int, int, int] = (160, 200, 225),
    top: float | None = None,
) -> RGB:
    """A pleated surgical mask from the middle of the nose to under the chin.

    ``top`` (in iod units below the eye line) defaults to halfway down the nose.
    """
    g = FaceGeometry.from_landmarks(landmarks)
    top_y = g.nose_drop * 0.6 if top is None else top
    outline = [
        (-1.05, top_y + 0.1),
        (-0.3, top_y - 0.02),
        (0.0, top_y - 0.06),
        (0.3, top_y - 0.02),
        (1.05, top_y + 0.1),
        (1.0, 1.45),
        (0.55, 1.85),
        (0.0, 1.95),
        (-0.55, 1.85),
        (-1.0, 1.45),
    ]
    alpha = _mask_layer(image.shape[:2], g.polygon(outline), g.iod * 0.02)
    height, width = image.shape[:2]
    base = np.asarray(colour, np.float32)
    overlay = np.broadcast_to(base, image.shape).astype(np.float32).copy()
    pleats = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(pleats)
    for y in np.linspace(top_y + 0.3, 1.55, 4):
        draw.line(
            [g.point(-0.95, y), g.point(0.95, y)], fill=255, width=max(1, round(g.iod * 0.03))
        )
    pleat_layer = np.asarray(pleats.filter(ImageFilter.GaussianBlur(g.iod * 0.02)), np.float32)
    overlay *= (1.0 - 0.12 * pleat_layer / 255.0)[..., None]
    return _composite(image, overlay, alpha)


def hat_brim(image: RGB, landmarks: Landmarks, darkness: float = 0.3) -> RGB:
    """The shadow of a cap's brim: everything above just below the eyes is shaded.

    ``darkness`` is the fraction of light left in the shadow.
    """
    g = FaceGeometry.from_landmarks(landmarks)
    edge = 0.3  # iod units below the eye line, so the whole eye socket is in shadow
    polygon = g.polygon([(-6.0, -8.0), (6.0, -8.0), (6.0, edge), (-6.0, edge)])
    alpha = _mask_layer(image.shape[:2], polygon, g.iod * 0.08)
    factor = 1.0 - (1.0 - darkness) * alpha
    shaded = image.astype(np.float32) * factor[..., None]
    return np.clip(shaded + 0.5, 0, 255).astype(np.uint8)


# --- Arranging webcam-sized frames --------------------------------------------------------


def place_in_frame(
    photo: RGB,
    *,
    scale: float = 1.6,
    centre: tuple[float, float] = (0.5, 0.45),
    size: tuple[int, int] = (FRAME_WIDTH, FRAME_HEIGHT),
    background: tuple[int, int, int] = (96, 104, 112),
) -> RGB:
    """Place a (250x250 LFW) photo, scaled by ``scale``, on a plain background frame.

    ``centre`` is where the photo's centre lands, as fractions of the frame. A larger
    ``scale`` is the borrower coming closer to the camera.
    """
    width, height = size
    frame = Image.new("RGB", size, background)
    source = Image.fromarray(photo)
    scaled = source.resize(
        (round(source.width * scale), round(source.height * scale)), Image.Resampling.BICUBIC
    )
    left = round(centre[0] * width - scaled.width / 2)
    top = round(centre[1] * height - scaled.height / 2)
    frame.paste(scaled, (left, top))
    return np.asarray(frame)


def empty_scene(size: tuple[int, int] = (FRAME_WIDTH, FRAME_HEIGHT)) -> RGB:
    """A camera frame with nobody in it: the developer photo of two dogs, filling the frame
    (the gate finds no human face in it)."""
    photo = Image.fromarray(load_rgb(FACES_DIR / "other" / "no_human_face_dogs.jpg"))
    return np.asarray(photo.resize(size, Image.Resampling.BICUBIC))


def come_closer(photo: RGB, factor: float = 1.5, base_scale: float = 1.4) -> RGB:
    """The same photo as a frame where the face is ``factor`` times larger."""
    return place_in_frame(photo, scale=base_scale * factor)


Box = tuple[int, int, int, int]


def paste_face(
    frame: RGB,
    photo: RGB,
    face_box: Box,
    *,
    width_px: float,
    centre: tuple[float, float],
) -> RGB:
    """Another person's face composited into ``frame``: the head around ``face_box`` of
    ``photo`` is cut out with a soft oval edge, scaled so the face box is ``width_px`` wide
    and centred (in pixels) at ``centre``. A small face pasted into the background is a
    bystander far behind the borrower; one as wide as the borrower's, beside them, is a
    second person at the same distance."""
    left, top, right, bottom = face_box
    size = right - left
    cx, cy = (left + right) / 2.0, (top + bottom) / 2.0
    # The head: a little wider than the detector's box, from the hair down to the chin.
    half_w, half_h = 0.8 * size, 1.0 * size
    source = Image.fromarray(photo).crop(
        (round(cx - half_w), round(cy - 1.1 * half_h), round(cx + half_w), round(cy + 0.9 * half_h))
    )
    scale = width_px / size
    head = source.resize(
        (max(1, round(source.width * scale)), max(1, round(source.height * scale))),
        Image.Resampling.BICUBIC,
    )
    alpha = Image.new("L", head.size, 0)
    inset = 0.06 * head.width
    ImageDraw.Draw(alpha).ellipse((inset, inset, head.width - inset, head.height - inset), fill=255)
    alpha = alpha.filter(ImageFilter.GaussianBlur(radius=max(1.0, 0.04 * head.width)))
    canvas = Image.fromarray(frame)
    # The face box centre sits at 55% of the cut-out's height (more hair above than chin below).
    position = (round(centre[0] - head.width / 2), round(centre[1] - 0.55 * head.height))
    canvas.paste(head, position, alpha)
    return np.asarray(canvas)


def write_mjpeg(frames: Iterable[RGB], path: str | Path, quality: int = 90) -> Path:
    """Write frames as concatenated JPEGs: the .mjpeg format Chrome's fake camera plays."""
    target = Path(path)
    with target.open("wb") as handle:
        for frame in frames:
            handle.write(encode_jpeg(frame, quality))
    return target


def read_mjpeg(path: str | Path) -> list[bytes]:
    """Split a concatenated-JPEG file back into frames: a frame ends with EOI (FFD9)
    directly followed by the next frame's SOI (FFD8FF)."""
    data = Path(path).read_bytes()
    frames: list[bytes] = []
    start = 0
    while True:
        boundary = data.find(b"\xff\xd9\xff\xd8\xff", start)
        if boundary == -1:
            frames.append(data[start:])
            return frames
        frames.append(data[start : boundary + 2])
        start = boundary + 2


def attempt_frames(
    photos: Sequence[RGB],
    rng: np.random.Generator,
    *,
    scales: Sequence[float] | None = None,
    shift_px: float = 6.0,
    noise: float = 1.5,
    quality: int = 90,
) -> list[bytes]:
    """JPEG frames of an attempt: each photo placed in a 640x480 frame, nudged by a few
    pixels and given sensor noise, as consecutive webcam frames of a moving head are.

    ``scales`` (one per photo, default 1.8) makes a face grow for ``come_closer``.
    """
    frames: list[bytes] = []
    for position, photo in enumerate(photos):
        scale = scales[position] if scales is not None else 1.8
        dx, dy = rng.uniform(-shift_px, shift_px, 2) / np.array([FRAME_WIDTH, FRAME_HEIGHT])
        frame = place_in_frame(photo, scale=scale, centre=(0.5 + dx, 0.5 + dy))
        frames.append(encode_jpeg(add_noise(frame, noise, rng), quality))
    return frames


# --- Challenge sequences from lfw-dev photos of one person ---------------------------------


@dataclass(frozen=True)
class PosedPhoto:
    """An lfw-dev photo with its measured head pose (engine units, see analysis.py)."""

    path: Path
    yaw: float
    pitch: float
    usable: bool


_POSE_CACHE: dict[str, list[PosedPhoto]] = {}

#: How far past each liveness threshold a chosen photo must be, so a test does not sit on
#: the threshold (LivenessThresholds: turn 0.15, pitch 0.10).
TURN_YAW = 0.21
PITCH_CHANGE = 0.14
NEUTRAL_YAW = 0.04


def measure_poses(person: str) -> list[PosedPhoto]:
    """Pose of every lfw-dev photo of ``person`` (analysed once per process, with the quick
    detector pass: these photos are picked for their pose, not checked for bystanders)."""
    if person not in _POSE_CACHE:
        from verification.face import analyze_frame, check_quality

        posed = []
        for path in lfw_person_photos(person):
            analysis = analyze_frame(load_rgb(path), thorough=False)
            face = analysis.face
            if face is None or face.weak_detection:
                continue
            usable = not check_quality(analysis) and analysis.face_count == 1
            posed.append(PosedPhoto(path, face.pose.yaw, face.pose.pitch, usable))
        _POSE_CACHE[person] = posed
    return _POSE_CACHE[person]


def _step_photo(step: str, start: PosedPhoto, photos: Sequence[PosedPhoto]) -> PosedPhoto | None:
    others = [p for p in photos if p.usable and p.path != start.path]
    if step == "turn_left":
        candidates = [p for p in others if p.yaw - start.yaw >= TURN_YAW]
        return max(candidates, key=lambda p: p.yaw, default=None)
    if step == "turn_right":
        candidates = [p for p in others if start.yaw - p.yaw >= TURN_YAW]
        return min(candidates, key=lambda p: p.yaw, default=None)
    level = [p for p in others if abs(p.yaw - start.yaw) <= 0.05]
    if step == "look_up":
        candidates = [p for p in level if start.pitch - p.pitch >= PITCH_CHANGE]
        return min(candidates, key=lambda p: p.pitch, default=None)
    if step == "look_down":
        candidates = [p for p in level if p.pitch - start.pitch >= PITCH_CHANGE]
        return max(candidates, key=lambda p: p.pitch, default=None)
    raise ValueError(step)


@dataclass(frozen=True)
class ChallengeScript:
    """Photos chosen by measured pose to act out a challenge, plus a reference photo."""

    start: PosedPhoto
    steps: list[tuple[str, PosedPhoto | None]]
    references: list[PosedPhoto]


def script_challenge(person: str, challenge: Sequence[str]) -> ChallengeScript:
    """Pick, by measured pose only, a frontal start photo and a photo per step.

    The start is the most frontal usable photo for which every step has a photo; the
    references (for enrolment) are the next two most frontal ones. ``come_closer`` reuses the
    start photo, enlarged when the frames are drawn. Raises LookupError if the person has
    no photo for some step.
    """
    photos = measure_poses(person)
    frontal = sorted(
        (p for p in photos if p.usable and abs(p.yaw) <= NEUTRAL_YAW), key=lambda p: abs(p.yaw)
    )
    for start in frontal:
        steps: list[tuple[str, PosedPhoto | None]] = []
        for step in challenge:
            photo = None if step == "come_closer" else _step_photo(step, start, photos)
            if photo is None and step != "come_closer":
                break
            steps.append((step, photo))
        else:
            references = [p for p in frontal if p.path != start.path][:2]
            return ChallengeScript(start, steps, references)
    raise LookupError(f"{person} has no lfw-dev photos for {list(challenge)}")


def challenge_frames(
    script: ChallengeScript,
    rng: np.random.Generator,
    *,
    neutral_frames: int = 1,
    closer_factor: float = 1.45,
    scale: float | None = None,
) -> list[RGB]:
    """640x480 frames acting out the script: the start photo (plus ``neutral_frames`` more
    nudged copies), then for each step its photo and a return to the start pose;
    ``come_closer`` shows the start photo growing by ``closer_factor`` (last step).
    ``scale`` (default 1.8, or 1.4 with ``come_closer``) sets how far the borrower is."""
    start = load_rgb(script.start.path)
    base = 1.8 if not any(step == "come_closer" for step, _ in script.steps) else 1.4
    base = scale if scale is not None else base

    def frame(photo: RGB, scale: float = base) -> RGB:
        dx, dy = rng.uniform(-6.0, 6.0, 2) / np.array([FRAME_WIDTH, FRAME_HEIGHT])
        placed = place_in_frame(photo, scale=scale, centre=(0.5 + dx, 0.5 + dy))
        return add_noise(placed, 1.5, rng)

    frames = [frame(start) for _ in range(1 + neutral_frames)]
    for step, photo in script.steps:
        if step == "come_closer":
            frames.append(frame(start, base * (1 + closer_factor) / 2))
            frames.append(frame(start, base * closer_factor))
            continue
        assert photo is not None
        frames.append(frame(load_rgb(photo.path)))
        frames.append(frame(start))
    return frames
