"""What counts as the other language on a page (shared by the admin and the browser
tests of the borrower pages)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Three or more ASCII words in a row: an English phrase on a Chinese page.
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Za-z][A-Za-z'’-]*){2,}")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


class PageText(HTMLParser):
    """The text a reader sees: text nodes and the attributes read out to them, without
    scripts, styles, and elements marked translate="no" (the borrower's own data)."""

    SKIP = {"script", "style", "template"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(
        self,
        skip: frozenset[str] = frozenset(),
        attributes: tuple[str, ...] = ("title", "aria-label", "placeholder", "alt"),
    ) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = []
        self.skip = self.SKIP | skip
        self.attributes = attributes

    def _skipping(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        skip = tag in self.skip or attributes.get("translate") == "no"
        if not self._skipping() and not skip:
            for name in self.attributes:
                if attributes.get(name):
                    self.parts.append(str(attributes[name]))
        if tag not in self.VOID:
            self._stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)


def page_text(
    html: str,
    *,
    skip: frozenset[str] = frozenset(),
    attributes: tuple[str, ...] = ("title", "aria-label", "placeholder", "alt"),
) -> str:
    parser = PageText(skip, attributes)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_runs(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return [run for run in ENGLISH_RUN.findall(text) if not any(a in run for a in allowed)]
