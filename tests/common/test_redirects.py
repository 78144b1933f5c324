"""Where a page may send the borrower next."""

import pytest

from common.redirects import same_site_path


@pytest.mark.parametrize(
    "path",
    [
        "/applications/8d7e0c8e-2f55-4a53-9d2a-0e3c8f1b7a10/face-check/",
        "/face/enrol/?next=%2Fapplications%2Fx%2Fface-check%2F",
        "/home/#loans",
    ],
)
def test_paths_on_this_site_are_kept(path):
    assert same_site_path(path) == path


@pytest.mark.parametrize(
    "elsewhere",
    [
        None,
        "",
        "home/",
        "https://evil.example/",
        "http:/evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "javascript:alert(1)",
        " /home/",
        "/home/\r\nSet-Cookie: a=b",
        "/home/\x00",
        "/" + "a" * 2001,
    ],
)
def test_anything_else_is_refused(elsewhere):
    assert same_site_path(elsewhere) is None
