"""The face engine's attempt against a baseline measured in the same run: the usual way of
using dlib, every frame detected at full resolution with upsampling and embedded from the
full frame. Same frames, same process, same models; the ratio is what the engine's
downscaled detection and selective embedding save.

    python bench/face_baseline.py [--runs K]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dlib  # noqa: E402

from tests.verification import frames as F  # noqa: E402
from verification.face import decode_image, enrol, get_models, verify_attempt  # noqa: E402
from verification.face.models import models_directory  # noqa: E402

PERSON = "Tony_Blair"
CHALLENGE = ["turn_left", "turn_right"]


def _attempt() -> tuple[list[bytes], Any]:
    script = F.script_challenge(PERSON, CHALLENGE)
    rng = np.random.default_rng(1)
    images = F.challenge_frames(script, rng, neutral_frames=5)[:10]
    frames = [F.encode_jpeg(image) for image in images]
    reference = enrol([F.place_in_frame(F.load_rgb(script.references[0].path), scale=1.8)])
    return frames, reference.embedding


class _Dlib:
    """The models loaded the plain way, as dlib's and face_recognition's examples do."""

    def __init__(self) -> None:
        directory = models_directory()
        self.detector = dlib.get_frontal_face_detector()
        self.shapes = dlib.shape_predictor(str(directory / "shape_predictor_5_face_landmarks.dat"))
        self.encoder = dlib.face_recognition_model_v1(
            str(directory / "dlib_face_recognition_resnet_model_v1.dat")
        )


def _naive(frames: list[bytes], models: _Dlib) -> int:
    faces = 0
    for data in frames:
        image = decode_image(data)
        for box in models.detector(image, 1):
            shape = models.shapes(image, box)
            models.encoder.compute_face_descriptor(image, shape)
            faces += 1
    return faces


def run(runs: int) -> dict[str, Any]:
    get_models()
    plain = _Dlib()
    frames, reference = _attempt()
    engine, naive = [], []
    passed = 0
    for _ in range(runs):
        began = time.perf_counter()
        result = verify_attempt(frames, CHALLENGE, reference)
        engine.append(time.perf_counter() - began)
        passed += result.passed
        began = time.perf_counter()
        _naive(frames, plain)
        naive.append(time.perf_counter() - began)
    return {
        "frames": len(frames),
        "runs": runs,
        "engine_median_s": round(statistics.median(engine), 3),
        "engine_max_s": round(max(engine), 3),
        "engine_passed": passed,
        "baseline_median_s": round(statistics.median(naive), 3),
        "ratio_baseline_to_engine": round(statistics.median(naive) / statistics.median(engine), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(run(args.runs), indent=2))


if __name__ == "__main__":
    main()
