"""The JSON parser of the API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): numbers are
exact Decimals, and what could hurt the server is refused with 400 `parse_error` before any
view sees it."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

# A string (skipped whole, escapes included) or one bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text`, counted without parsing it (a parser
    would recurse once per level, and Python's recursion limit is a server error)."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _has_lone_surrogate(value: Any) -> bool:
    """A lone UTF-16 surrogate ("\\ud800") is valid JSON but no character: it cannot be
    stored, hashed or written back as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class DecimalJSONParser(JSONParser):
    """JSON numbers are parsed as Decimal, never float: 0.1 stays exactly 0.1. Refused with
    400 `parse_error`: invalid JSON or UTF-8, `NaN` and `Infinity`, nesting deeper than
    `API_JSON_MAX_DEPTH`, and lone surrogates. The body's size is capped by Django's
    `DATA_UPLOAD_MAX_MEMORY_SIZE` (413 `request_too_large`)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        max_depth = int(getattr(settings, "API_JSON_MAX_DEPTH", 32))
        try:
            text = stream.read().decode(encoding)
            if json_nesting_depth(text) > max_depth:
                raise exceptions.ParseError(
                    f"The request body nests deeper than {max_depth} levels."
                )
            data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"The request body is not valid JSON: {exc}") from exc
        if _has_lone_surrogate(data):
            raise exceptions.ParseError(
                "The request body has a lone UTF-16 surrogate, which is not a character."
            )
        return data
