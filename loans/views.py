"""Borrower-facing pages of the loans app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loans.pricing import MAX_TERM, annualized_rate_cap


def calculator_messages() -> dict[str, object]:
    """Strings the calculator's script shows, in the page's language; API error codes map
    to translated messages (the API's own `detail` is the fallback)."""
    return {
        "calculating": _("Calculating…"),
        "failed": _("Could not calculate the plan. Check your connection and try again."),
        "rate_invalid": _("Enter the rate as a percentage, e.g. 0.05."),
        "principal_required": _("Enter the amount you want to borrow."),
        "term_required": _("Enter the term in months."),
        "nominal_daily": _("Daily rate %s"),
        "nominal_annual": _("Annual rate %s"),
        "errors": {
            "principal_not_positive": _("The amount must be greater than zero."),
            "principal_invalid": _("Enter the amount as a number, e.g. 10000 or 10000.50."),
            "principal_too_many_places": _("The amount can have at most two decimal places."),
            "principal_too_large": _("That amount is larger than we can lend."),
            "term_min_value": _("The term must be between 1 and %(max)s months.")
            % {"max": MAX_TERM},
            "term_max_value": _("The term must be between 1 and %(max)s months.")
            % {"max": MAX_TERM},
            "term_invalid": _("Enter the term as a whole number of months."),
            "daily_rate_not_positive": _("The rate must be greater than zero."),
            "annual_rate_not_positive": _("The rate must be greater than zero."),
            "rate_above_cap": _("That rate is above the %(cap)s%% annualized cap we allow.")
            % {"cap": annualized_rate_cap() * 100},
            "first_due_date": _("The first due date must be after the start date."),
            "schedule_not_representable": _(
                "This rounding unit is too large for the amount: choose the fen."
            ),
        },
    }


def calculator(request: HttpRequest) -> HttpResponse:
    """The public loan calculator. The numbers come from the schedule-preview API so the
    page and the API can never disagree."""
    return render(
        request,
        "loans/calculator.html",
        {
            "max_term": MAX_TERM,
            "rate_cap_percent": annualized_rate_cap() * 100,
            "messages_json": calculator_messages(),
        },
    )
