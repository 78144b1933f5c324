"""Benchmark of the face engine on lfw-dev: accuracy, error rates, speed and memory.

    python bench/face_bench.py [--pairs N] [--json out.json] [--attempts K] [--workers W]
                               [--jitter-pairs M]

* Embeds every lfw-dev photo (or, with ``--pairs N``, only those of the first N/2
  same-person and N/2 different-person rows of pairs.tsv) and keeps the embeddings in
  memory only. ``--workers`` processes share that work (default 2); timing is measured
  afterwards, in this process, with the workers gone.
* Error rates: FAR/TAR over *all* pairs of embedded photos (every same-person pair and
  every different-person pair - 2.4 million on the full set, so a 0.1% FAR is measured on
  ~2,400 false accepts rather than on 1.5 of pairs.tsv's 1,500 impostor rows); accuracy on
  pairs.tsv itself at the configured threshold.
* Speed: per 640x480 frame (decode + analyse + embed) and per 10-frame 640x480 attempt
  through ``verify_attempt``, median and p95 of ``--attempts`` runs; wall and CPU time.
* Occlusion false positives: how often eyes_covered / mouth_covered / eyes_shaded fire on
  the clean lfw-dev photos.
* ``--degrade N``: the first quality code of each synthetic degradation (tests/verification/
  frames.py) applied to N clean single-face photos.
* ``--jitter-pairs M``: re-measure the configured threshold on M pairs.tsv rows with the
  first photo enrolled the production way (5 jitters), as a reference is.
* The quality gate on the clean photos: the first reason each lfw-dev photo is refused,
  with every second face counted (the old rule) and with only second faces of comparable
  size (``QualityConfig.background_face_ratio``); how the count of photos refused for a
  second face and the share of equal-size face pairs measured below the ratio move with
  candidate ratios (lfw-dev crops give every subject's face about the same size, so the
  spread of their measured widths is what two faces at the same distance look like to
  the detector); FAR/TAR over the photos each rule accepts; and composites in
  640x480 frames (another lfw-dev face pasted beside the borrower or behind them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.verification import frames as F  # noqa: E402
from verification.face import (  # noqa: E402
    EnrolmentConfig,
    QualityConfig,
    VerificationConfig,
    analyze_frame,
    check_quality,
    decode_image,
    embed,
    enrol,
    get_models,
    verify_attempt,
)

OCCLUSION_CODES = {"eyes_covered", "mouth_covered", "eyes_shaded"}
#: The old rule: every second face the detector finds fails the gate.
EVERY_FACE = QualityConfig(background_face_ratio=0.0)
RATIO_CANDIDATES = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


def _embed_photo(
    relative: str,
) -> tuple[str, list[float] | None, list[str], list[str], list[int], int | None]:
    """Worker: (photo, embedding or None when no usable face, quality issue codes, the
    codes when every second face counts, widths of the confident faces (largest first),
    width of the primary face)."""
    analysis = analyze_frame(F.load_rgb(F.lfw_path(relative)))
    widths = sorted((box[2] - box[0] for box in analysis.face_boxes), reverse=True)
    if analysis.face is None or analysis.face.weak_detection:
        return relative, None, ["no_face"], ["no_face"], widths, None
    codes = [issue.code for issue in check_quality(analysis)]
    before = [issue.code for issue in check_quality(analysis, EVERY_FACE)]
    primary = analysis.face.box[2] - analysis.face.box[0]
    return relative, embed(analysis).tolist(), codes, before, widths, primary


@dataclass(frozen=True)
class PhotoResult:
    vector: np.ndarray | None
    codes: list[str]
    codes_every_face: list[str]
    widths: list[int]
    primary_width: int | None


Embedded = dict[str, PhotoResult]


def embed_all(photos: Sequence[str], workers: int) -> Embedded:
    results: Embedded = {}
    outputs: Any
    if workers <= 1:
        outputs = map(_embed_photo, photos)
        for relative, vector, codes, before, widths, primary in outputs:
            results[relative] = PhotoResult(
                None if vector is None else np.asarray(vector), codes, before, widths, primary
            )
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        outputs = pool.map(_embed_photo, photos, chunksize=16)
        for relative, vector, codes, before, widths, primary in outputs:
            results[relative] = PhotoResult(
                None if vector is None else np.asarray(vector), codes, before, widths, primary
            )
    return results


def _first_codes(codes: Sequence[list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for photo_codes in codes:
        code = photo_codes[0] if photo_codes else "accepted"
        counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _comparable(widths: Sequence[int], primary: int | None, ratio: float) -> int:
    """The faces counted at this ratio (as FrameAnalysis.comparable_face_count does)."""
    if primary is None:
        return 0
    return sum(1 for width in widths if width >= ratio * primary)


def equal_size_share_below(primary_widths: Sequence[int], ratio: float) -> float:
    """Share of pairs of lfw-dev photos whose faces, the same size by construction of the
    crops, are measured at a width ratio (narrower / wider) below ``ratio``."""
    values, counts = np.unique(np.asarray(primary_widths), return_counts=True)
    below = total = 0
    for i, (a, count_a) in enumerate(zip(values, counts, strict=True)):
        total += count_a * (count_a - 1) // 2
        for b, count_b in zip(values[i + 1 :], counts[i + 1 :], strict=True):
            total += count_a * count_b
            if a / b < ratio:
                below += count_a * count_b
    return below / max(1, total)


def gate_figures(
    results: Embedded, genuine_impostor: Callable[[dict[str, np.ndarray]], Any], ratio: float
) -> dict[str, Any]:
    """What the quality gate refuses on the clean photos, under the old rule (every second
    face) and the configured ratio; and FAR/TAR over the photos each rule accepts."""
    photos = list(results.values())
    second = [r for r in photos if len(r.widths) > 1 and r.primary_width is not None]
    ratios = sorted(r.widths[1] / r.widths[0] for r in second)
    bands = [0.0, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9, 1.01]
    primaries = [r.primary_width for r in photos if r.primary_width is not None]
    figures: dict[str, Any] = {
        "photos": len(photos),
        "ratio": ratio,
        "refused_before": _first_codes([r.codes_every_face for r in photos]),
        "refused_after": _first_codes([r.codes for r in photos]),
        "second_face_ratio_bands": [
            [low, high, sum(1 for value in ratios if low <= value < high)]
            for low, high in itertools.pairwise(bands)
        ],
        "candidates": [
            {
                "ratio": candidate,
                "second_face_refusals": sum(
                    1 for r in second if _comparable(r.widths, r.primary_width, candidate) > 1
                ),
                "equal_size_below": equal_size_share_below(primaries, candidate),
            }
            for candidate in sorted({*RATIO_CANDIDATES, ratio})
        ],
    }
    for label, key in (("before", "codes_every_face"), ("after", "codes")):
        accepted = {
            name: r.vector
            for name, r in results.items()
            if r.vector is not None and not getattr(r, key)
        }
        genuine, impostor = genuine_impostor(accepted)
        far, tar = rates_at(genuine, impostor, VerificationConfig().match_threshold)
        figures[f"accepted_{label}"] = {
            "photos": len(accepted),
            "genuine_pairs": int(genuine.size),
            "impostor_pairs": int(impostor.size),
            "far": far,
            "tar": tar,
        }
    return figures


def composite_rates(count: int) -> dict[str, Any]:
    """Another lfw-dev face composited into a 640x480 frame of a borrower (an lfw-dev photo
    at scale 1.6): beside them at 1.0 and 0.8 of their face width, or in the background at
    0.6 and 0.4; how often the gate refuses it as a second face, and how often the
    (upsampled) detector saw it at all."""
    rng = np.random.default_rng(21)
    paths = sorted(F.LFW_IMAGES.glob("*/*.jpg"))
    clean: list[tuple[np.ndarray, tuple[int, int, int, int]]] = []
    for index in rng.permutation(len(paths)):
        image = F.load_rgb(paths[index])
        analysis = analyze_frame(image)
        if analysis.face is None or analysis.face_count != 1 or check_quality(analysis):
            continue
        clean.append((image, analysis.face.box))
        if len(clean) == 2 * count:
            break
    outcomes: dict[str, dict[str, int]] = {}
    for (borrower, _), (other, other_box) in zip(clean[0::2], clean[1::2], strict=True):
        frame = F.place_in_frame(borrower, scale=1.6, centre=(0.4, 0.5))
        base = analyze_frame(frame)
        if base.face is None or base.face_count != 1 or check_quality(base):
            continue
        left, top, right, bottom = base.face.box
        width = right - left
        for place, true_ratio in (
            ("beside", 1.0),
            ("beside", 0.8),
            ("behind", 0.6),
            ("behind", 0.4),
        ):
            pasted = width * true_ratio
            if place == "beside":
                centre = (right + 0.15 * width + 0.8 * pasted, (top + bottom) / 2)
            else:  # top right corner of the frame, clear of the borrower's face
                centre = (F.FRAME_WIDTH - 0.8 * pasted - 4, 1.1 * pasted + 4)
            composite = F.paste_face(frame, other, other_box, width_px=pasted, centre=centre)
            image = decode_image(F.encode_jpeg(F.add_noise(composite, 1.5, rng)))
            analysis = analyze_frame(image, thorough=True)
            codes = {issue.code for issue in check_quality(analysis)}
            key = f"{place} at {true_ratio:.1f}"
            row = outcomes.setdefault(key, {"frames": 0, "seen": 0, "refused": 0})
            row["frames"] += 1
            row["seen"] += analysis.face_count > 1
            row["refused"] += "multiple_faces" in codes
    return outcomes


def rates_at(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> tuple[float, float]:
    """(FAR, TAR) when a distance <= threshold is accepted."""
    far = float(np.count_nonzero(impostor <= threshold)) / max(1, impostor.size)
    tar = float(np.count_nonzero(genuine <= threshold)) / max(1, genuine.size)
    return far, tar


def threshold_for_far(impostor_sorted: np.ndarray, far: float) -> float:
    """Largest threshold whose FAR stays <= ``far`` (accepting distance <= threshold)."""
    allowed = int(np.floor(far * impostor_sorted.size))
    if allowed >= impostor_sorted.size:
        return float(impostor_sorted[-1])
    # Accepting up to just below the (allowed+1)-th smallest impostor distance.
    return float(np.nextafter(impostor_sorted[allowed], 0.0))


def all_pair_distances(
    embeddings: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    names = sorted(embeddings)
    matrix = np.stack([embeddings[name] for name in names])
    people = np.array([name.split("/")[0] for name in names])
    genuine: list[np.ndarray] = []
    impostor: list[np.ndarray] = []
    for row in range(len(names) - 1):
        distances = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * matrix[row + 1 :] @ matrix[row]))
        same = people[row + 1 :] == people[row]
        genuine.append(distances[same])
        impostor.append(distances[~same])
    return np.sort(np.concatenate(genuine)), np.sort(np.concatenate(impostor))


def pairs_accuracy(
    rows: Sequence[tuple[bool, str, str]],
    embeddings: dict[str, np.ndarray],
    threshold: float,
) -> dict[str, float]:
    """pairs.tsv protocol; a pair with a photo without a usable face counts as rejected."""
    correct = accepted_same = accepted_different = same_total = different_total = 0
    for same, a, b in rows:
        if a in embeddings and b in embeddings:
            accepted = float(np.linalg.norm(embeddings[a] - embeddings[b])) <= threshold
        else:
            accepted = False
        correct += accepted == same
        if same:
            same_total += 1
            accepted_same += accepted
        else:
            different_total += 1
            accepted_different += accepted
    return {
        "accuracy": correct / len(rows),
        "tar": accepted_same / max(1, same_total),
        "far": accepted_different / max(1, different_total),
        "pairs": float(len(rows)),
    }


def time_frames(samples: int) -> dict[str, float]:
    """Decode + analyse + embed of 640x480 JPEG frames built from lfw-dev photos."""
    photos = sorted(F.LFW_IMAGES.glob("*/*.jpg"))[:: max(1, 2197 // samples)][:samples]
    rng = np.random.default_rng(0)
    frames = F.attempt_frames([F.load_rgb(p) for p in photos], rng)
    analyse_ms: list[float] = []
    embed_ms: list[float] = []
    for data in frames:
        started = time.perf_counter()
        analysis = analyze_frame(decode_image(data), thorough=False)
        analysed = time.perf_counter()
        if analysis.face is None or analysis.face.weak_detection:
            continue
        embed(analysis)
        analyse_ms.append((analysed - started) * 1000)
        embed_ms.append((time.perf_counter() - analysed) * 1000)
    total = [a + b for a, b in zip(analyse_ms, embed_ms, strict=True)]
    return {
        "frames": float(len(total)),
        "analyse_ms_median": statistics.median(analyse_ms),
        "embed_ms_median": statistics.median(embed_ms),
        "frame_ms_median": statistics.median(total),
        "frame_ms_p95": float(np.percentile(total, 95)),
    }


def time_attempts(runs: int) -> dict[str, float]:
    """verify_attempt on a 10-frame 640x480 attempt (3-step challenge, passes)."""
    challenge = ["turn_right", "look_up", "come_closer"]
    script = F.script_challenge("Gerhard_Schroeder", challenge)
    rng = np.random.default_rng(1)
    images = F.challenge_frames(script, rng, neutral_frames=3)
    assert len(images) == 10, len(images)
    frames = [F.encode_jpeg(image) for image in images]
    reference = enrol([F.load_rgb(p.path) for p in script.references]).embedding
    walls: list[float] = []
    cpus: list[float] = []
    passed = 0
    embedded = 0
    for _ in range(runs):
        wall = time.perf_counter()
        cpu = time.process_time()
        result = verify_attempt(frames, challenge, reference)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        passed += result.passed
        embedded = result.embedded_frames
    return {
        "runs": float(runs),
        "passed_runs": float(passed),
        "embedded_frames": float(embedded),
        "attempt_s_median": statistics.median(walls),
        "attempt_s_p95": float(np.percentile(walls, 95)),
        "attempt_cpu_s_median": statistics.median(cpus),
    }


def jittered_reference_check(
    rows: Sequence[tuple[bool, str, str]], embeddings: dict[str, np.ndarray], threshold: float
) -> dict[str, float]:
    """The same pairs scored twice: plain embeddings on both sides, then with the first
    photo embedded as enrolment does it (5 jitters, averaged). The frontal-pose rule of
    enrolment is relaxed here: this measures the effect of jittering, not of the pose rule.
    """
    config = EnrolmentConfig(quality=QualityConfig())
    plain: dict[bool, list[float]] = {True: [], False: []}
    jittered: dict[bool, list[float]] = {True: [], False: []}
    for same, a, b in rows:
        if a not in embeddings or b not in embeddings:
            continue
        try:
            reference = enrol([F.load_rgb(F.lfw_path(a))], config).embedding
        except ValueError:
            continue
        plain[same].append(float(np.linalg.norm(embeddings[a] - embeddings[b])))
        jittered[same].append(float(np.linalg.norm(reference - embeddings[b])))

    def rate(values: list[float]) -> float:
        return sum(value <= threshold for value in values) / max(1, len(values))

    return {
        "pairs": float(len(plain[True]) + len(plain[False])),
        "tar_plain": rate(plain[True]),
        "far_plain": rate(plain[False]),
        "tar": rate(jittered[True]),
        "far": rate(jittered[False]),
        "mean_shift_same": float(np.mean(np.subtract(jittered[True], plain[True]))),
        "mean_shift_different": float(np.mean(np.subtract(jittered[False], plain[False]))),
    }


DEGRADATIONS: dict[str, Callable[[F.RGB, F.Landmarks], F.RGB]] = {
    "too_dark": lambda image, lm: F.darken(image),
    "overexposed": lambda image, lm: F.overexpose(image),
    "blurry": lambda image, lm: F.blur_face(image, lm),
    "eyes_covered (sunglasses)": lambda image, lm: F.sunglasses(image, lm),
    "eyes_covered (black bar)": lambda image, lm: F.black_bar(image, lm),
    "eyes_covered (hand)": lambda image, lm: F.hand_over_eyes(image, lm),
    "mouth_covered (blue mask)": lambda image, lm: F.surgical_mask(image, lm),
    "mouth_covered (white mask)": lambda image, lm: F.surgical_mask(
        image, lm, colour=(235, 235, 235)
    ),
    "mouth_covered (hand)": lambda image, lm: F.hand_over_mouth(image, lm),
    "eyes_shaded (hat brim)": lambda image, lm: F.hat_brim(image, lm),
}


def degradation_rates(count: int) -> dict[str, dict[str, int]]:
    """First quality code of degraded copies of ``count`` clean single-face lfw-dev photos."""
    rng = np.random.default_rng(12)
    paths = sorted(F.LFW_IMAGES.glob("*/*.jpg"))
    outcomes: dict[str, dict[str, int]] = {name: {} for name in DEGRADATIONS}
    used = 0
    for index in rng.permutation(len(paths)):
        image = F.load_rgb(paths[index])
        analysis = analyze_frame(image)
        if analysis.face is None or analysis.face_count != 1 or check_quality(analysis):
            continue
        for name, degrade in DEGRADATIONS.items():
            issues = check_quality(analyze_frame(degrade(image, analysis.face.landmarks)))
            code = issues[0].code if issues else "accepted"
            outcomes[name][code] = outcomes[name].get(code, 0) + 1
        used += 1
        if used == count:
            break
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=0, help="use only N pairs.tsv rows")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--attempts", type=int, default=15, help="timed attempt runs")
    parser.add_argument("--frames", type=int, default=60, help="timed single frames")
    parser.add_argument("--workers", type=int, default=2, help="processes for embedding")
    parser.add_argument("--jitter-pairs", type=int, default=0, help="see module docstring")
    parser.add_argument("--degrade", type=int, default=0, help="degraded copies of N photos")
    parser.add_argument(
        "--composites", type=int, default=0, help="N borrowers with a second face pasted in"
    )
    args = parser.parse_args(argv)

    config = VerificationConfig()
    figures: dict[str, Any] = {"load_average_start": os.getloadavg()}

    started = time.perf_counter()
    models = get_models()
    figures["model_load_s"] = time.perf_counter() - started
    figures["model_load_s_inside"] = models.load_seconds
    figures["rss_after_load_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = F.read_lfw_pairs()
    if args.pairs:
        half = args.pairs // 2
        rows = [r for r in rows if r[0]][:half] + [r for r in rows if not r[0]][:half]
        photos = sorted({photo for _, a, b in rows for photo in (a, b)})
    else:
        photos = sorted(f"{path.parent.name}/{path.name}" for path in F.LFW_IMAGES.glob("*/*.jpg"))

    started = time.perf_counter()
    results = embed_all(photos, args.workers)
    figures["embed_all_s"] = time.perf_counter() - started
    embeddings = {name: r.vector for name, r in results.items() if r.vector is not None}
    figures["photos"] = len(photos)
    figures["photos_without_face"] = len(photos) - len(embeddings)
    clean = [r.codes for r in results.values() if r.vector is not None]
    flagged = [codes for codes in clean if OCCLUSION_CODES & set(codes)]
    figures["occlusion_checked"] = len(clean)
    figures["occlusion_flagged"] = len(flagged)
    figures["occlusion_fp_rate"] = len(flagged) / max(1, len(clean))
    figures["occlusion_flagged_photos"] = sorted(
        name
        for name, r in results.items()
        if r.vector is not None and OCCLUSION_CODES & set(r.codes)
    )
    figures["gate"] = gate_figures(
        results, all_pair_distances, QualityConfig().background_face_ratio
    )

    genuine, impostor = all_pair_distances(embeddings)
    figures["genuine_pairs"] = int(genuine.size)
    figures["impostor_pairs"] = int(impostor.size)
    for label, far in (("1%", 0.01), ("0.1%", 0.001)):
        threshold = threshold_for_far(impostor, far)
        measured_far, tar = rates_at(genuine, impostor, threshold)
        figures[f"threshold_at_far_{label}"] = threshold
        figures[f"tar_at_far_{label}"] = tar
        figures[f"far_measured_{label}"] = measured_far
    far, tar = rates_at(genuine, impostor, config.match_threshold)
    figures["match_threshold"] = config.match_threshold
    figures["match_far"] = far
    figures["match_tar"] = tar
    far, tar = rates_at(genuine, impostor, config.consistency_threshold)
    figures["consistency_threshold"] = config.consistency_threshold
    figures["consistency_far"] = far
    figures["consistency_tar"] = tar
    figures["pairs_tsv"] = pairs_accuracy(rows, embeddings, config.match_threshold)
    best = max(
        (pairs_accuracy(rows, embeddings, t)["accuracy"], t) for t in np.arange(0.30, 0.60, 0.005)
    )
    figures["pairs_tsv_best_accuracy"] = {"accuracy": best[0], "threshold": float(best[1])}
    if args.jitter_pairs:
        figures["jittered_reference"] = jittered_reference_check(
            rows[: args.jitter_pairs // 2] + rows[-(args.jitter_pairs // 2) :],
            embeddings,
            config.match_threshold,
        )

    if args.degrade:
        figures["degradations"] = degradation_rates(args.degrade)
        figures["degraded_photos"] = args.degrade
    if args.composites:
        figures["composites"] = composite_rates(args.composites)

    figures["per_frame"] = time_frames(args.frames)
    figures["per_attempt"] = time_attempts(args.attempts)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["load_average_end"] = os.getloadavg()
    figures["cpus"] = os.cpu_count()

    print(markdown(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=float))
    return 0


def markdown(f: dict[str, Any]) -> str:
    pairs = f["pairs_tsv"]
    frame = f["per_frame"]
    attempt = f["per_attempt"]
    lines = [
        "| Figure | Value |",
        "| --- | --- |",
        f"| Photos embedded (no usable face) | {f['photos'] - f['photos_without_face']} "
        f"({f['photos_without_face']}) |",
        f"| Pairs: same / different (all pairs of embedded photos) | "
        f"{f['genuine_pairs']:,} / {f['impostor_pairs']:,} |",
        f"| TAR at FAR 1% (threshold) | {f['tar_at_far_1%']:.2%} "
        f"({f['threshold_at_far_1%']:.4f}) |",
        f"| TAR at FAR 0.1% (threshold) | {f['tar_at_far_0.1%']:.2%} "
        f"({f['threshold_at_far_0.1%']:.4f}) |",
        f"| Default match threshold: FAR / TAR | {f['match_threshold']:.3f}: "
        f"{f['match_far']:.3%} / {f['match_tar']:.2%} |",
        f"| Consistency threshold: FAR / TAR | {f['consistency_threshold']:.2f}: "
        f"{f['consistency_far']:.3%} / {f['consistency_tar']:.2%} |",
        f"| pairs.tsv accuracy at {f['match_threshold']:.3f} ({int(pairs['pairs'])} pairs) | "
        f"{pairs['accuracy']:.2%} (TAR {pairs['tar']:.2%}, FAR {pairs['far']:.2%}) |",
        f"| pairs.tsv best accuracy (threshold) | "
        f"{f['pairs_tsv_best_accuracy']['accuracy']:.2%} "
        f"({f['pairs_tsv_best_accuracy']['threshold']:.3f}) |",
    ]
    if "jittered_reference" in f:
        j = f["jittered_reference"]
        lines.append(
            f"| {int(j['pairs'])} pairs.tsv rows, plain -> 5-jitter reference: FAR / TAR | "
            f"{j['far_plain']:.2%} / {j['tar_plain']:.2%} -> {j['far']:.2%} / {j['tar']:.2%} "
            f"(distance shift same {j['mean_shift_same']:+.3f}, "
            f"different {j['mean_shift_different']:+.3f}) |"
        )
    lines += [
        f"| Occlusion flags on clean photos | {f['occlusion_flagged']} of "
        f"{f['occlusion_checked']} ({f['occlusion_fp_rate']:.2%}) |",
        f"| Per 640x480 frame: analyse / embed / total (median) | "
        f"{frame['analyse_ms_median']:.0f} / {frame['embed_ms_median']:.0f} / "
        f"{frame['frame_ms_median']:.0f} ms (p95 {frame['frame_ms_p95']:.0f} ms) |",
        f"| Per 10-frame attempt, {int(attempt['embedded_frames'])} embeddings: median / p95 | "
        f"{attempt['attempt_s_median']:.3f} / {attempt['attempt_s_p95']:.3f} s "
        f"(CPU {attempt['attempt_cpu_s_median']:.3f} s; "
        f"{int(attempt['passed_runs'])}/{int(attempt['runs'])} passed) |",
        f"| Model load | {f['model_load_s']:.2f} s |",
        f"| Peak RSS: after model load / end of run | {f['rss_after_load_mb']:.0f} / "
        f"{f['peak_rss_mb']:.0f} MB |",
        f"| Load average start / end ({f['cpus']} CPUs) | "
        f"{f['load_average_start'][0]:.2f} / {f['load_average_end'][0]:.2f} |",
    ]
    if "degradations" in f:
        lines += [
            "",
            f"Degraded copies of {f['degraded_photos']} clean lfw-dev photos: first quality code",
            "",
            "| Degradation | Right code | Outcomes |",
            "| --- | --- | --- |",
        ]
        for name, outcomes in f["degradations"].items():
            right = outcomes.get(name.split(" ")[0], 0) / max(1, sum(outcomes.values()))
            ordered = sorted(outcomes.items(), key=lambda item: -item[1])
            detail = ", ".join(f"{code} {count}" for code, count in ordered)
            lines.append(f"| {name} | {right:.0%} | {detail} |")
    if "gate" in f:
        lines += gate_markdown(f["gate"], f.get("composites"))
    return "\n".join(lines)


def gate_markdown(g: dict[str, Any], composites: dict[str, dict[str, int]] | None) -> list[str]:
    before, after = g["refused_before"], g["refused_after"]
    ratio = g["ratio"]
    codes = [code for code in before if code != "accepted"]
    codes += [code for code in after if code not in before and code != "accepted"]
    lines = [
        "",
        f"Quality gate on the {g['photos']} clean lfw-dev photos: the first reason each is "
        f"refused, when every second face counts (before) and when only a second face at "
        f"least {ratio:.0%} as wide as the borrower's counts (after)",
        "",
        "| First reason | Before | After |",
        "| --- | --- | --- |",
    ]
    for code in codes:
        lines.append(f"| {code} | {before.get(code, 0)} | {after.get(code, 0)} |")
    refused_before = g["photos"] - before.get("accepted", 0)
    refused_after = g["photos"] - after.get("accepted", 0)
    lines += [
        f"| **refused in all** | **{refused_before}** | **{refused_after}** |",
        f"| accepted | {before.get('accepted', 0)} | {after.get('accepted', 0)} |",
    ]
    for label in ("before", "after"):
        a = g[f"accepted_{label}"]
        lines.append(
            f"| FAR / TAR at the match threshold over the photos accepted {label} "
            f"({a['genuine_pairs']:,} / {a['impostor_pairs']:,} pairs) | "
            f"{a['far']:.3%} / {a['tar']:.2%} | |"
        )
    lines += [
        "",
        "Choosing the ratio: photos refused for a second face, and the share of pairs of "
        "equal-size faces (lfw-dev crops give every subject's face about the same size) "
        "that the detector measures below the ratio, i.e. that it would wrongly ignore",
        "",
        "| Ratio | Refused for a second face | Equal-size pairs measured below |",
        "| --- | --- | --- |",
    ]
    for row in g["candidates"]:
        chosen = " (chosen)" if abs(row["ratio"] - ratio) < 1e-9 else ""
        lines.append(
            f"| {row['ratio']:.2f}{chosen} | {row['second_face_refusals']} | "
            f"{row['equal_size_below']:.3%} |"
        )
    bands = ", ".join(
        f"{low:.2f}-{min(high, 1.0):.2f}: {count}"
        for low, high, count in g["second_face_ratio_bands"]
    )
    lines += [
        "",
        f"Width of the second face / the borrower's, photos with two or more faces: {bands}.",
    ]
    if composites:
        lines += [
            "",
            f"Composites: another lfw-dev face pasted into a 640x480 frame of a borrower "
            f"(ratio {ratio:.2f})",
            "",
            "| Second face | Frames | Detected | Refused as a second face |",
            "| --- | --- | --- | --- |",
        ]
        for key, row in composites.items():
            lines.append(
                f"| {key} of the borrower's width | {row['frames']} | "
                f"{row['seen'] / max(1, row['frames']):.0%} | "
                f"{row['refused'] / max(1, row['frames']):.0%} |"
            )
    return lines


if __name__ == "__main__":
    sys.exit(main())
