"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Separators (Z*: spaces of every width) and "other" (C*: control, format such as the
# zero-width space and joiners, surrogates, private use, unassigned): they look like
# nothing, or like a space, on a screen.
_INVISIBLE_CATEGORIES = ("Z", "C")


def visible_characters(password: str) -> int:
    return sum(
        1 for ch in password if not unicodedata.category(ch).startswith(_INVISIBLE_CATEGORIES)
    )


class VisibleCharactersValidator:
    """A password must have at least `min_visible` characters that are not spaces or
    invisible: twelve spaces, or a tab and eleven zero-width spaces, pass a length rule but
    are no secret at all."""

    def __init__(self, min_visible: int = 8) -> None:
        self.min_visible = min_visible

    def validate(self, password: str, user: Any = None) -> None:
        if visible_characters(password) < self.min_visible:
            raise ValidationError(
                ngettext(
                    "The password must have at least %(min)d character that is not a space.",
                    "The password must have at least %(min)d characters that are not spaces.",
                    self.min_visible,
                )
                % {"min": self.min_visible},
                code="password_blank",
            )

    def get_help_text(self) -> str:
        return _("Spaces and invisible characters do not count towards the length.")
