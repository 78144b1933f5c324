"""Uploaded pictures are judged by their header before anything decodes them."""

import io

import pytest
from PIL import Image, ImageFile

from common.images import ImageLimits, ImageRefused, image_check

PHOTO = ImageLimits(max_bytes=8_000_000, max_pixels=16_800_000, max_side=6000, min_side=64)


def encoded(size, fmt="PNG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb():
    """7000 x 7000 pixels in a few kilobytes."""
    data = encoded((7000, 7000), mode="1")
    assert len(data) < 100_000
    return data


@pytest.fixture
def decodes(monkeypatch):
    """Counts how often Pillow decodes pixel data (the real decoder still runs)."""
    calls = []
    original = ImageFile.ImageFile.load

    def load(self):
        calls.append(self.size)
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls


def test_a_decompression_bomb_is_refused_from_its_header(bomb, decodes):
    with pytest.raises(ImageRefused) as refused:
        image_check(bomb, PHOTO, decode=True)
    assert refused.value.code == "image_too_many_pixels"
    assert "7000x7000" in refused.value.message
    assert decodes == []


@pytest.mark.parametrize(
    ("size", "fmt"), [((4032, 3024), "JPEG"), ((640, 480), "PNG"), ((64, 64), "JPEG")]
)
def test_camera_sized_pictures_pass(size, fmt, decodes):
    info = image_check(encoded(size, fmt), PHOTO, decode=True)
    assert (info.format, info.width, info.height) == (fmt, *size)
    assert decodes == [size]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "image_empty"),
        (b"hello, I am a frame", "unsupported_format"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "unsupported_format",
        ),
        (b"<!DOCTYPE html><html><body>frame</body></html>", "unsupported_format"),
        (b"GIF89a" + b"\x00" * 100, "unsupported_format"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "corrupt_image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "corrupt_image"),
        (encoded((6001, 100)), "image_too_many_pixels"),
        (encoded((5000, 4000)), "image_too_many_pixels"),
        (encoded((63, 500)), "image_too_small"),
        (b"\x00" * 9_000_000, "image_too_large"),
    ],
)
def test_anything_else_is_refused(data, code):
    with pytest.raises(ImageRefused) as refused:
        image_check(data, PHOTO)
    assert refused.value.code == code


def test_a_truncated_picture_passes_the_header_but_not_the_decoding():
    whole = encoded((640, 480), "JPEG")
    truncated = whole[: len(whole) // 2]
    assert image_check(truncated, PHOTO).width == 640
    with pytest.raises(ImageRefused) as refused:
        image_check(truncated, PHOTO, decode=True)
    assert refused.value.code == "corrupt_image"
