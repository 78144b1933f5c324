"""Is something covering the eyes or the mouth, or shading the eyes? Measured on the chip.

The 5-point model has no mouth or eyelid points, but it does not need them: the aligned
150x150 chip (``dlib.get_face_chip``, padding 0.25) puts every face in the same place.
Mapped into the chip, the landmarks of 300 lfw-dev faces average: eye corners at x = 37,
57 and 90, 110 on row 46 (standard deviation ~2 px), the nose base at (74, 87); the mouth
then sits around rows 96-122 and the chin below. The regions below are boxes around those
places.

What the figures measure, and why they separate covered from visible faces:

* ``eye_detail``: in each eye box, how much darker the darkest 5% of pixels are than the
  median, relative to the median. An open eye always has its iris, pupil and lashes much
  darker than the surrounding skin (lfw-dev: >= 0.17 in 99% of faces); sunglasses, a bar,
  a hand or hair flatten the box (< 0.05). The lower of the two eyes is reported, so one
  covered eye counts.
* ``mouth_detail`` and ``mouth_texture``: the same darkness contrast plus the mean
  gradient (relative to brightness) in the mouth box. Lips, the mouth line and teeth give
  both; a surgical mask or a hand gives neither, whatever its colour (colour alone fails:
  a hand is skin-coloured and a white mask is as grey as some skin).
* ``upper_face_light``: median brightness of the eyes and brows divided by that of the
  mouth, chin and lower cheeks, and ``brow_light``: the brows against the mid-face. A hat
  brim or a fringe puts both well below 0.45 while the eye detail survives (shade dims
  everything by the same factor), which tells shading from sunglasses (dark and flat).

All figures are ratios, so they do not depend on exposure. Thresholds live in
``QualityConfig``; see docs/face-engine.md for how they were chosen and their error rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Region = tuple[slice, slice]


def _box(top: int, bottom: int, left: int, right: int) -> Region:
    return (slice(top, bottom), slice(left, right))


EYE_IMAGE_LEFT = _box(37, 57, 30, 64)
EYE_IMAGE_RIGHT = _box(37, 57, 86, 120)
BROWS = _box(22, 36, 32, 118)
NOSE = _box(56, 80, 64, 86)
MID_CHEEKS = (_box(62, 90, 24, 50), _box(62, 90, 100, 126))
MOUTH = _box(96, 122, 50, 100)
CHIN = _box(122, 142, 55, 95)
LOWER_CHEEKS = (_box(95, 122, 28, 48), _box(95, 122, 102, 122))


@dataclass(frozen=True, slots=True)
class OcclusionScores:
    """Visibility figures of one face (higher = more visible); see the module docstring."""

    eye_detail: float
    eye_texture: float
    mouth_detail: float
    mouth_texture: float
    upper_face_light: float
    brow_light: float


def _pixels(image: FloatArray, *regions: Region) -> FloatArray:
    result: FloatArray = np.concatenate([image[region].ravel() for region in regions])
    return result


def _gradient(grey: FloatArray) -> FloatArray:
    """Central-difference gradient magnitude, same shape as ``grey`` (zero on the border)."""
    gx = np.zeros_like(grey)
    gy = np.zeros_like(grey)
    gx[:, 1:-1] = (grey[:, 2:] - grey[:, :-2]) * 0.5
    gy[1:-1, :] = (grey[2:, :] - grey[:-2, :]) * 0.5
    result: FloatArray = np.sqrt(gx * gx + gy * gy)
    return result


def _detail(grey: FloatArray, region: Region) -> tuple[float, float]:
    """(darkness contrast, median) of a region; the +10 keeps black regions from dividing
    by ~0 (a black bar must read as flat, not as infinitely contrasted)."""
    values = grey[region]
    median, dark = np.percentile(values, (50.0, 5.0))
    return float((median - dark) / (median + 10.0)), float(median)


def measure_chip(chip: npt.NDArray[np.uint8], grey: FloatArray) -> OcclusionScores:
    """Occlusion figures of an aligned 150x150 chip; ``grey`` is its luma."""
    if grey.shape != (150, 150):
        raise ValueError("measure_chip expects the 150x150 aligned chip")
    gradient = _gradient(grey)
    eye_details = []
    eye_textures = []
    for region in (EYE_IMAGE_LEFT, EYE_IMAGE_RIGHT):
        detail, median = _detail(grey, region)
        eye_details.append(detail)
        eye_textures.append(float(gradient[region].mean()) / (median + 10.0))
    mouth_detail, mouth_median = _detail(grey, MOUTH)
    mouth_texture = float(gradient[MOUTH].mean()) / (mouth_median + 10.0)
    mid_face = float(np.median(_pixels(grey, *MID_CHEEKS, NOSE)))
    upper = float(np.median(_pixels(grey, EYE_IMAGE_LEFT, EYE_IMAGE_RIGHT, BROWS)))
    lower = float(np.median(_pixels(grey, MOUTH, CHIN, *LOWER_CHEEKS)))
    brows = float(np.median(grey[BROWS]))
    return OcclusionScores(
        eye_detail=min(eye_details),
        eye_texture=min(eye_textures),
        mouth_detail=mouth_detail,
        mouth_texture=mouth_texture,
        upper_face_light=upper / (lower + 5.0),
        brow_light=brows / (mid_face + 5.0),
    )
