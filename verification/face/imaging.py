"""Decoding untrusted image bytes and the small numpy image helpers the checks share.

Frames arrive from browsers and phones, so decoding treats every byte string as hostile:
only JPEG and PNG are accepted, the pixel count is checked from the header before any
pixel is decoded (a 100-megapixel "decompression bomb" is refused, not decoded), EXIF
orientation is applied (phones store portrait photos as rotated landscape pixels plus a
tag) and very large photos are shrunk, because nothing downstream needs more than 1280 px
and every extra pixel costs time.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps

from .models import RGBImage

FloatImage = npt.NDArray[np.float32]

#: Longest side kept after decoding; larger photos are downscaled.
MAX_LONG_SIDE = 1280
#: Refuse before decoding: more pixels than any phone camera produces.
MAX_PIXELS = 50_000_000
MAX_SIDE = 12_000
#: Below this nothing useful can be detected (the HOG detector needs ~40 px faces).
MIN_SIDE = 64

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ImageDecodeError(ValueError):
    """The bytes are not a usable photo. ``code`` is stable for API clients."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_image(data: bytes, *, max_long_side: int = MAX_LONG_SIDE) -> RGBImage:
    """Decode JPEG/PNG bytes into an upright H x W x 3 uint8 RGB array.

    Transparent PNGs are composited on white (dlib needs 3 channels, and white is what a
    viewer shows). The long side is capped at ``max_long_side``; JPEGs use libjpeg's DCT
    scaling (``draft``) first, which makes decoding a 12-megapixel photo ~4x cheaper.
    """
    if data.startswith(_JPEG_MAGIC):
        expected = "JPEG"
    elif data.startswith(_PNG_MAGIC):
        expected = "PNG"
    else:
        raise ImageDecodeError("unsupported_format", "The photo must be a JPEG or PNG image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[expected])
            width, height = opened.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ImageDecodeError(
                    "image_too_large",
                    f"The photo is {width}x{height} pixels; the largest accepted size is "
                    f"{MAX_SIDE} pixels on a side and {MAX_PIXELS // 1_000_000} megapixels.",
                )
            if min(width, height) < MIN_SIDE:
                raise ImageDecodeError(
                    "image_too_small",
                    f"The photo is only {width}x{height} pixels; it must be at least "
                    f"{MIN_SIDE} pixels on each side.",
                )
            if expected == "JPEG" and max(width, height) > 2 * max_long_side:
                opened.draft("RGB", (max_long_side, max_long_side))
            image: Image.Image = _to_rgb(ImageOps.exif_transpose(opened))
            if max(image.size) > max_long_side:
                scale = max_long_side / max(image.size)
                size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
                image = image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
            array = np.asarray(image, dtype=np.uint8)
    except ImageDecodeError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageDecodeError(
            "image_too_large", "The photo has far more pixels than any camera produces."
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageDecodeError(
            "corrupt_image", f"The photo could not be read ({type(exc).__name__})."
        ) from exc
    return np.ascontiguousarray(array)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def luma(image: npt.NDArray[np.uint8]) -> FloatImage:
    """Rec. 601 luma as float32 in 0..255 (what "brightness" means to a camera)."""
    rgb = image.astype(np.float32)
    result: FloatImage = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    return result


def laplacian(grey: FloatImage) -> FloatImage:
    """4-neighbour Laplacian of the interior pixels (the 3x3 kernel 0 1 0 / 1 -4 1 / 0 1 0)."""
    result: FloatImage = (
        grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4.0 * grey[1:-1, 1:-1]
    )
    return result


def gradient_magnitude(grey: FloatImage) -> FloatImage:
    """Central-difference gradient magnitude of the interior pixels."""
    gx = grey[1:-1, 2:] - grey[1:-1, :-2]
    gy = grey[2:, 1:-1] - grey[:-2, 1:-1]
    result: FloatImage = np.sqrt(gx * gx + gy * gy) * 0.5
    return result


def downscale(image: RGBImage, width: int) -> tuple[RGBImage, float]:
    """Shrink ``image`` to ``width`` pixels wide (never enlarge); return it and the scale."""
    height_px, width_px = image.shape[:2]
    if width_px <= width:
        return image, 1.0
    scale = width / width_px
    pil = Image.fromarray(image)
    factor = width_px // width
    if factor >= 2 and width_px % width == 0 and height_px % factor == 0:
        small = pil.reduce(factor)
    else:
        size = (width, max(1, round(height_px * scale)))
        small = pil.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.ascontiguousarray(np.asarray(small, dtype=np.uint8)), scale


def small_grey(image: RGBImage, width: int = 80) -> FloatImage:
    """A tiny greyscale copy for frame-to-frame motion measurements (noise averages out)."""
    height_px, width_px = image.shape[:2]
    height = max(1, round(height_px * width / width_px))
    pil = Image.fromarray(image).convert("L").resize((width, height), Image.Resampling.BOX)
    return np.asarray(pil, dtype=np.float32)
