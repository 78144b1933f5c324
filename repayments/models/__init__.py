"""Repayments (DOMAIN.md §5): see the modules for each model's invariants."""

from repayments.models.payments import (
    Allocation,
    OverpaymentBalance,
    OverpaymentMovement,
    Refund,
    Repayment,
)
from repayments.models.prepayments import (
    OPEN_PREPAYMENT_STATUSES,
    PREPAYMENT_TRANSITIONS,
    DocumentAccess,
    PrepaymentApplication,
    PrepaymentDocument,
    PrepaymentEvent,
    PrepaymentStatus,
)
from repayments.models.records import CreditReportRecord, OverdueRecord

__all__ = [
    "OPEN_PREPAYMENT_STATUSES",
    "PREPAYMENT_TRANSITIONS",
    "Allocation",
    "CreditReportRecord",
    "DocumentAccess",
    "OverdueRecord",
    "OverpaymentBalance",
    "OverpaymentMovement",
    "PrepaymentApplication",
    "PrepaymentDocument",
    "PrepaymentEvent",
    "PrepaymentStatus",
    "Refund",
    "Repayment",
]
