"""Template helpers for the borrower's loan pages: names in the page's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from loans.messages import refusal_reason as refusal_text
from loans.models import Method

register = template.Library()


@register.filter
def product_name(product: Any) -> str:
    """A product's name in the page's language (its English name in English)."""
    if product is None:
        return ""
    return str(product.display_name(get_language()))


@register.filter
def refusal_reason(code: str) -> str:
    return refusal_text(code or "")


@register.filter
def method_label(value: str) -> str:
    """A repayment method's name in the page's language."""
    try:
        return str(Method(value).label)
    except ValueError:
        return ""
