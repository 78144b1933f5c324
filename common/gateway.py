"""The payment-gateway interface: how money reaches a borrower's bank card (payouts) and
comes back from it (collections). A bank or payment provider plugs in by implementing
`PaymentGateway` and naming the class in settings (MICROLEND["PAYMENT_GATEWAY"]).

Gateways are called outside database transactions, with an idempotency key: calling again
with the same key must never move money twice (real providers honour such keys).

It sits in `common`, below every app, because more than one app moves money through it:
`loans` sends payouts, `repayments` collects."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"  # final: the money did not move
    PENDING = "pending"  # unknown yet (timeout, processing): ask again later


@dataclass(frozen=True)
class GatewayResult:
    outcome: GatewayOutcome
    reference: str = ""
    message: str = ""


class PaymentGateway(Protocol):
    name: str

    def payout(
        self, *, idempotency_key: str, amount: Decimal, card_number: str, account_name: str
    ) -> GatewayResult: ...

    def collect(
        self, *, idempotency_key: str, amount: Decimal, card_number: str, account_name: str
    ) -> GatewayResult: ...


class SimulatedGateway:
    """The default gateway: instant and deterministic, like a provider's test mode.

    Card numbers ending in 0002 are declined ("insufficient funds" on collection, "card
    cannot receive" on payout); ending in 0077 stay pending once before succeeding. It
    remembers idempotency keys for the life of the process, as a provider would, and, as a
    provider would, refuses a key reused for a different transfer."""

    name = "simulated"
    _lock = threading.Lock()
    _seen: dict[str, GatewayResult] = {}
    _requests: dict[str, tuple[str, Decimal, str]] = {}

    def _transfer(
        self, kind: str, idempotency_key: str, amount: Decimal, card_number: str
    ) -> GatewayResult:
        with self._lock:
            request = (kind, amount, card_number)
            if self._requests.setdefault(idempotency_key, request) != request:
                return GatewayResult(
                    GatewayOutcome.DECLINED,
                    "",
                    "The idempotency key was already used for a different transfer.",
                )
            if idempotency_key in self._seen:
                return self._seen[idempotency_key]
            digest = hashlib.sha256(f"{kind}:{idempotency_key}".encode()).hexdigest()
            reference = f"SIM-{digest[:16]}"
            if card_number.endswith("0002"):
                result = GatewayResult(
                    GatewayOutcome.DECLINED,
                    reference,
                    "The card was declined by the issuing bank.",
                )
            elif card_number.endswith("0077") and f"pending:{idempotency_key}" not in self._seen:
                self._seen[f"pending:{idempotency_key}"] = GatewayResult(GatewayOutcome.PENDING)
                return GatewayResult(GatewayOutcome.PENDING, reference, "Processing.")
            else:
                result = GatewayResult(GatewayOutcome.SUCCEEDED, reference)
            self._seen[idempotency_key] = result
            return result

    def payout(
        self, *, idempotency_key: str, amount: Decimal, card_number: str, account_name: str
    ) -> GatewayResult:
        return self._transfer("payout", idempotency_key, amount, card_number)

    def collect(
        self, *, idempotency_key: str, amount: Decimal, card_number: str, account_name: str
    ) -> GatewayResult:
        return self._transfer("collect", idempotency_key, amount, card_number)


def payment_gateway() -> PaymentGateway:
    """The configured gateway."""
    path = settings.MICROLEND.get("PAYMENT_GATEWAY", "common.gateway.SimulatedGateway")
    gateway: PaymentGateway = import_string(str(path))()
    return gateway
