"""Writes of the repayments app: one function per use case (see the modules)."""

from repayments.services.core import AmountDue, amount_due
from repayments.services.payments import (
    payoff_submit,
    repayment_collect,
    repayment_request,
    repayment_settle,
    repayment_submit,
    repayment_sweep_pending,
)
from repayments.services.payoff import payoff_quote

__all__ = [
    "AmountDue",
    "amount_due",
    "payoff_quote",
    "payoff_submit",
    "repayment_collect",
    "repayment_request",
    "repayment_settle",
    "repayment_submit",
    "repayment_sweep_pending",
]
