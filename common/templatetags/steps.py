"""Step indicators for the borrower's journeys, shared by every app's pages:

    {% load steps %}
    {% steps "onboarding" "profile" %}
    {% steps "application" "contract" skip="face_check" %}
    {% steps "face_check" "check" %}

The steps and their labels are defined once here; `current` is the step the page is on
(steps before it are shown as done), `skip` leaves out steps that do not apply (a
comma-separated list), and "done" as `current` shows every step done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

FLOWS: dict[str, tuple[tuple[str, Promise], ...]] = {
    "onboarding": (
        ("account", pgettext_lazy("the user's account, not a ledger account", "Account")),
        ("profile", _("Real-name details")),
        ("credit_line", _("Credit line")),
        ("borrow", _("Borrow")),
    ),
    "application": (
        ("choose", _("Amount and term")),
        ("contract", _("Contract")),
        ("face_check", _("Face check")),
        ("paid_out", _("Paid out")),
    ),
    "face_check": (
        ("consent", _("Consent")),
        ("reference", _("Reference photo")),
        ("check", _("Face check")),
        ("done", _("Done")),
    ),
}


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    label: str
    state: str  # "done", "current" or "todo"


def step_list(flow: str, current: str, *, skip: str = "") -> list[Step]:
    skipped = {key.strip() for key in skip.split(",") if key.strip()}
    keys = [(key, label) for key, label in FLOWS[flow] if key not in skipped]
    position = next((i for i, (key, _label) in enumerate(keys) if key == current), len(keys))
    if current == "done":
        position = len(keys)
    return [
        Step(
            number=i + 1,
            key=key,
            label=str(label),
            state="done" if i < position else "current" if i == position else "todo",
        )
        for i, (key, label) in enumerate(keys)
    ]


@register.inclusion_tag("includes/steps.html")
def steps(flow: str, current: str, skip: str = "") -> dict[str, Any]:
    all_steps = step_list(flow, current, skip=skip)
    here = next((s for s in all_steps if s.state == "current"), None)
    return {"steps": all_steps, "flow": flow, "here": here, "total": len(all_steps)}
