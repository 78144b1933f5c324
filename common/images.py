"""Safe checks on uploaded images, before anything decodes them.

An image file says in its header how many pixels it holds, and decoding costs memory and
time in proportion to that, not to the file's size: a 47 kB PNG can hold 7000 x 7000
pixels (about 150 MB once decoded). `image_check` reads only the header, refuses what is
not a JPEG or PNG, and refuses by pixel count and side length before a single pixel is
decoded. With `decode=True` it then decodes the (already bounded) image fully, so a file
whose header is fine but whose data is not (truncated, corrupt) is refused too.

Every upload of a picture goes through it: the reference face photo, the face-check frames
and the live hints, and later the scanned documents of a prepayment application (each
with its own `ImageLimits`, from settings.UPLOADS).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, UnidentifiedImageError

_FORMATS = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int
    max_side: int
    min_side: int = 1

    @classmethod
    def from_settings(cls, name: str) -> ImageLimits:
        """The limits named `name` in settings.UPLOADS["IMAGES"] (e.g. "photo", "frame")."""
        values: dict[str, Any] = dict(settings.UPLOADS["IMAGES"][name])
        return cls(**values)


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


class ImageRefused(ValueError):
    """The bytes are not an image we accept. `code`: `image_empty`, `image_too_large`
    (bytes), `unsupported_format`, `image_too_many_pixels`, `image_too_small`,
    `corrupt_image`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def image_format(data: bytes) -> str | None:
    """The format ("JPEG" or "PNG") from the file's signature, else None."""
    for magic, name in _FORMATS.items():
        if data.startswith(magic):
            return name
    return None


def image_check(data: bytes, limits: ImageLimits, *, decode: bool = False) -> ImageInfo:
    """Check an uploaded image against `limits` from its header; raise `ImageRefused`."""
    if not data:
        raise ImageRefused("image_empty", "The file is empty.")
    if len(data) > limits.max_bytes:
        raise ImageRefused(
            "image_too_large", f"The file is larger than {limits.max_bytes // 1000} kB."
        )
    expected = image_format(data)
    if expected is None:
        raise ImageRefused("unsupported_format", "The picture must be a JPEG or PNG image.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width * height > limits.max_pixels or max(width, height) > limits.max_side:
                    raise ImageRefused(
                        "image_too_many_pixels",
                        f"The picture is {width}x{height} pixels; at most "
                        f"{limits.max_side} pixels on a side and "
                        f"{limits.max_pixels / 1_000_000:g} megapixels are accepted.",
                    )
                if min(width, height) < limits.min_side:
                    raise ImageRefused(
                        "image_too_small",
                        f"The picture is only {width}x{height} pixels; it must be at least "
                        f"{limits.min_side} pixels on each side.",
                    )
                if decode:
                    image.load()
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRefused(
            "image_too_many_pixels", "The picture has far more pixels than accepted."
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageRefused("corrupt_image", "The picture could not be read.") from exc
    return ImageInfo(format=expected, width=width, height=height)
