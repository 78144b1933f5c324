from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from common.selectors import business_date_get


def business_date(request: HttpRequest) -> dict[str, Any]:
    """The business date for templates, read only if a template shows it."""
    return {"business_date": SimpleLazyObject(business_date_get)}
