"""Idempotency keys with payment-API semantics, for every request that moves money.

A request carries an `Idempotency-Key` header; keys are scoped per user and operation:
- the same key and the same body → the first answer, replayed; nothing runs twice;
- the same key with a different body → 422 `idempotency_key_reused`;
- while the first request with that key is still running, a second one waits briefly for
  its answer and replays it, or gets 409 `request_in_progress`.

Only answers that changed something (2xx) are kept: a refusal (4xx) changes nothing, so
the key stays free for a corrected request. A request whose process died half-way leaves
its key in progress; after `STALE_AFTER` the next request with that key runs again, and
the service it calls is itself idempotent by the same key (a unique constraint), so it
returns what the first run committed rather than moving money twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from common.exceptions import Conflict, DomainError, InvalidInput
from common.models import IDEMPOTENCY_KEY_MAX_LENGTH as KEY_MAX_LENGTH
from common.models import IdempotencyRecord

STALE_AFTER = dt.timedelta(minutes=2)
WAIT_FOR_FIRST = dt.timedelta(seconds=5)
POLL_SECONDS = 0.05  # float-ok: a poll interval in seconds, not money


class IdempotencyKeyReused(DomainError):
    status_code = 422
    default_code = "idempotency_key_reused"


class RequestInProgress(Conflict):
    default_code = "request_in_progress"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def idempotency_key_validate(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise InvalidInput(
            "Send an Idempotency-Key header (e.g. a UUID) with every request that moves money.",
            code="idempotency_key_missing",
        )
    if len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            f"The Idempotency-Key must be 1-{KEY_MAX_LENGTH} printable ASCII characters.",
            code="idempotency_key_invalid",
        )
    return key


def request_fingerprint(body: Any) -> str:
    """A stable hash of a request body (key order and whitespace do not matter)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _claim(
    *, user_id: int, operation: str, key: str, fingerprint: str, now: dt.datetime
) -> IdempotencyRecord | Answer:
    """Take the key for this request (the record to complete), or the answer to give."""
    deadline = time.monotonic() + WAIT_FOR_FIRST.total_seconds()
    while True:
        try:
            with transaction.atomic(durable=True):
                return IdempotencyRecord.objects.create(
                    user_id=user_id,
                    operation=operation,
                    key=key,
                    request_hash=fingerprint,
                    started_at=now,
                )
        except IntegrityError:
            pass
        with transaction.atomic(durable=True):
            record = (
                IdempotencyRecord.objects.select_for_update()
                .filter(user_id=user_id, operation=operation, key=key)
                .first()
            )
            if record is None:  # the first request failed and freed the key meanwhile
                continue
            if record.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used for a different request."
                )
            if record.state == IdempotencyRecord.State.COMPLETED:
                assert record.response_status is not None
                return Answer(record.response_status, record.response_body, replayed=True)
            if now - record.started_at > STALE_AFTER:
                # The first request died half-way; run again (the service is idempotent).
                record.started_at = now
                record.save(update_fields=["started_at"])
                return record
        if time.monotonic() >= deadline:
            raise RequestInProgress(
                "A request with this Idempotency-Key is still being processed; "
                "retry shortly with the same key to get its answer."
            )
        time.sleep(POLL_SECONDS)


def idempotent(
    *,
    user_id: int,
    operation: str,
    key: str | None,
    body: Any,
    now: dt.datetime,
    run: Callable[[], Answer],
) -> Answer:
    """Run `run` once per (user, operation, key) and body; see the module docstring."""
    key = idempotency_key_validate(key)
    claimed = _claim(
        user_id=user_id,
        operation=operation,
        key=key,
        fingerprint=request_fingerprint(body),
        now=now,
    )
    if isinstance(claimed, Answer):
        return claimed
    try:
        answer = run()
    except BaseException:
        IdempotencyRecord.objects.filter(pk=claimed.pk, state="in_progress").delete()
        raise
    if 200 <= answer.status < 300:
        IdempotencyRecord.objects.filter(pk=claimed.pk).update(
            state=IdempotencyRecord.State.COMPLETED,
            response_status=answer.status,
            response_body=answer.body,
            completed_at=now,
        )
    else:
        IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
    return answer


def idempotent_api(
    request: Request,
    *,
    operation: str,
    run: Callable[[], Response],
    body: Any = None,
) -> Response:
    """`idempotent` for a DRF view: the key from the `Idempotency-Key` header, the body
    from the request (or `body`, e.g. with uploads reduced to their sizes); a replayed
    answer says so in the `Idempotent-Replayed` header."""

    def answer() -> Answer:
        response = run()
        return Answer(response.status_code, json.loads(JSONRenderer().render(response.data)))

    result = idempotent(
        user_id=int(request.user.pk or 0),
        operation=operation,
        key=request.headers.get("Idempotency-Key"),
        body=request.data if body is None else body,
        now=timezone.now(),
        run=answer,
    )
    response = Response(result.body, status=result.status)
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
