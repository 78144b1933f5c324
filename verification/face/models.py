"""Loading the dlib models once per process and sharing them safely between threads.

The model files ship inside the ``face_recognition_models`` wheel. We locate them with
``importlib.util.find_spec`` instead of importing the package, because its ``__init__``
imports ``pkg_resources``, which recent setuptools no longer provides; ``find_spec`` only
resolves the file location and never executes the module. Nothing is ever downloaded.

Only two files are used: the 5-point landmark model and the ResNet embedding model. The
68-point landmark model in the same directory is deliberately never touched: it was trained
on iBUG 300-W data whose licence forbids commercial use.

Thread-safety, as measured on dlib 20.0.1 (see docs/face-engine.md):

* The HOG face detector releases the GIL, so two threads detect about twice as fast as one.
  A dlib ``object_detector`` keeps per-call scanner state, so concurrent calls on one
  instance are unsafe; each thread gets its own copy. ``get_frontal_face_detector()``
  costs ~0.55 s (it decodes the embedded model) while ``copy.copy`` of a loaded one costs
  ~3 ms, so one prototype is built at load time and copied per thread.
* ``shape_predictor`` is const during prediction and is shared.
* ``compute_face_descriptor`` holds the GIL for its whole run (two threads are no faster
  than one) and a dlib network stores its activations in the layers, so calls are
  serialised with a lock to stay correct even if a future build releases the GIL.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dlib
import numpy as np
import numpy.typing as npt

LANDMARK_MODEL_FILE = "shape_predictor_5_face_landmarks.dat"
EMBEDDING_MODEL_FILE = "dlib_face_recognition_resnet_model_v1.dat"

#: Side of the aligned face chip the ResNet was trained on, and the padding dlib's own
#: examples use. Changing either changes every embedding and invalidates the thresholds.
CHIP_SIZE = 150
CHIP_PADDING = 0.25

RGBImage = npt.NDArray[np.uint8]
Embedding = npt.NDArray[np.float64]


class FaceModelsUnavailable(RuntimeError):
    """The model files are missing: the deployment is broken, not the borrower's photo."""


def models_directory() -> Path:
    """Return the directory holding the model files without importing their package."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or spec.origin is None:
        raise FaceModelsUnavailable(
            "The face_recognition_models package is not installed; it provides the dlib "
            "model files the face engine needs."
        )
    directory = Path(spec.origin).parent / "models"
    for name in (LANDMARK_MODEL_FILE, EMBEDDING_MODEL_FILE):
        if not (directory / name).is_file():
            raise FaceModelsUnavailable(f"Model file {directory / name} is missing.")
    return directory


class FaceModels:
    """The loaded models of this process. Get it with :func:`get_models`, never construct
    one per request: loading takes ~1 s and ~100 MB."""

    def __init__(self, directory: Path) -> None:
        started = time.perf_counter()
        self.directory = directory
        self._shape_predictor: Any = dlib.shape_predictor(str(directory / LANDMARK_MODEL_FILE))
        self._recognizer: Any = dlib.face_recognition_model_v1(
            str(directory / EMBEDDING_MODEL_FILE)
        )
        self._recognizer_lock = threading.Lock()
        self._detector_prototype: Any = dlib.get_frontal_face_detector()
        self._prototype_lock = threading.Lock()
        self._local = threading.local()
        self.load_seconds = time.perf_counter() - started

    def _detector(self) -> Any:
        detector = getattr(self._local, "detector", None)
        if detector is None:
            with self._prototype_lock:
                detector = copy.copy(self._detector_prototype)
            self._local.detector = detector
        return detector

    def detect(
        self, image: RGBImage, upsample: int, adjust_threshold: float = 0.0
    ) -> list[tuple[tuple[float, float, float, float], float]]:
        """Run the HOG detector: (box, score) pairs, box = (left, top, right, bottom) in
        ``image`` pixels. dlib reports a face when score > 0; a negative
        ``adjust_threshold`` also returns weaker candidates."""
        rects, scores, _ = self._detector().run(image, upsample, adjust_threshold)
        return [
            ((r.left(), r.top(), r.right() + 1, r.bottom() + 1), float(score))
            for r, score in zip(rects, scores, strict=True)
        ]

    def landmarks(self, image: RGBImage, box: tuple[float, float, float, float]) -> Any:
        """Return dlib's ``full_object_detection`` of the 5-point model for ``box``."""
        left, top, right, bottom = (round(v) for v in box)
        rect = dlib.rectangle(left, top, right - 1, bottom - 1)
        return self._shape_predictor(image, rect)

    def descriptor(self, chip: RGBImage, num_jitters: int = 0) -> Embedding:
        """128-d ResNet descriptor of an aligned 150x150 chip (~120 ms per jitter here)."""
        with self._recognizer_lock:
            vector = self._recognizer.compute_face_descriptor(chip, num_jitters)
        return np.asarray(vector, dtype=np.float64)

    def descriptors(self, chips: list[RGBImage]) -> list[Embedding]:
        """Descriptors of several chips in one batched call (~10% cheaper per chip)."""
        if not chips:
            return []
        with self._recognizer_lock:
            vectors = self._recognizer.compute_face_descriptor(chips)
        return [np.asarray(vector, dtype=np.float64) for vector in vectors]


_models: FaceModels | None = None
_models_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def get_models() -> FaceModels:
    """Return this process's models, loading them on first use (double-checked locking)."""
    global _models
    models = _models
    if models is None:
        with _models_lock:
            models = _models
            if models is None:
                models = FaceModels(models_directory())
                _models = models
    return models


def get_executor() -> ThreadPoolExecutor:
    """A small shared pool for the GIL-releasing work (JPEG decoding, HOG detection).

    Two workers match the 2-core target machine; more only adds contention because the
    embedding network holds the GIL anyway.
    """
    global _executor
    executor = _executor
    if executor is None:
        with _executor_lock:
            executor = _executor
            if executor is None:
                workers = max(1, min(2, os.cpu_count() or 1))
                executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="face")
                _executor = executor
    return executor


def _reset_after_fork() -> None:
    """In a forked child (gunicorn --preload, Celery prefork) the pool's threads do not
    exist and a lock held by another parent thread would stay held forever: keep the loaded
    models (copy-on-write memory) but give the child fresh locks, thread-locals and pool."""
    global _executor, _executor_lock, _models_lock
    _executor = None
    _executor_lock = threading.Lock()
    _models_lock = threading.Lock()
    if _models is not None:
        _models._recognizer_lock = threading.Lock()
        _models._prototype_lock = threading.Lock()
        _models._local = threading.local()


os.register_at_fork(after_in_child=_reset_after_fork)
