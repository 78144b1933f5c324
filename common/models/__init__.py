"""Models of the platform layer: the business calendar with the record of what the close
of business has closed, and idempotency records. See each module for its invariants."""

from common.models.calendar import (
    RUN_TRANSITIONS,
    BusinessCalendar,
    BusinessDateChange,
    CloseChunk,
    CloseRun,
    CloseRunEvent,
    CloseStep,
    RunState,
)
from common.models.exports import ExportJob
from common.models.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH, IdempotencyRecord

__all__ = [
    "IDEMPOTENCY_KEY_MAX_LENGTH",
    "RUN_TRANSITIONS",
    "BusinessCalendar",
    "BusinessDateChange",
    "CloseChunk",
    "CloseRun",
    "CloseRunEvent",
    "CloseStep",
    "ExportJob",
    "IdempotencyRecord",
    "RunState",
]
