"""The shared idempotency block: one run per key and body, whatever arrives at once."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from common import idempotency
from common.exceptions import InvalidInput
from common.idempotency import (
    Answer,
    IdempotencyKeyReused,
    RequestInProgress,
    idempotent,
)
from common.models import IdempotencyRecord
from tests.accounts.factories import UserFactory


def call(user, key, body, run, now=None):
    return idempotent(
        user_id=user.pk,
        operation="test.op",
        key=key,
        body=body,
        now=now or timezone.now(),
        run=run,
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_requests_at_once_run_once_and_get_the_same_answer():
    user = UserFactory.create()
    runs = []
    barrier = threading.Barrier(20)
    answers: list[object] = [None] * 20

    def run():
        runs.append(1)
        time.sleep(0.3)  # float-ok: hold the key while the others arrive
        return Answer(201, {"id": len(runs)})

    def send(index):
        try:
            barrier.wait()
            answers[index] = call(user, "same", {"amount": "100.00"}, run)
        except Exception as exc:  # inspected below
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(runs) == 1
    got = [a for a in answers if isinstance(a, Answer)]
    assert len(got) == 20, answers
    assert {(a.status, a.body["id"]) for a in got} == {(201, 1)}
    assert sum(a.replayed for a in got) == 19
    assert IdempotencyRecord.objects.count() == 1


def test_same_key_different_body_is_refused(db):
    user = UserFactory.create()
    call(user, "k", {"amount": "100.00"}, lambda: Answer(201, {"ok": True}))
    with pytest.raises(IdempotencyKeyReused) as caught:
        call(user, "k", {"amount": "200.00"}, lambda: Answer(201, {"ok": True}))
    assert caught.value.status_code == 422
    # Key order does not make a different body.
    again = call(user, "k", {"amount": "100.00"}, lambda: Answer(500, None))
    assert again.replayed
    assert again.body == {"ok": True}


def test_keys_are_scoped_per_user_and_operation(db):
    alice, bob = UserFactory.create(), UserFactory.create()
    call(alice, "k", {"a": 1}, lambda: Answer(201, {"who": "alice"}))
    assert call(bob, "k", {"a": 2}, lambda: Answer(201, {"who": "bob"})).body == {"who": "bob"}
    other = idempotent(
        user_id=alice.pk,
        operation="test.other",
        key="k",
        body={"a": 3},
        now=timezone.now(),
        run=lambda: Answer(200, {"op": "other"}),
    )
    assert other.body == {"op": "other"}


def test_a_request_still_running_gets_a_409_after_a_short_wait(db, monkeypatch):
    user = UserFactory.create()
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", dt.timedelta(milliseconds=200))
    IdempotencyRecord.objects.create(
        user=user,
        operation="test.op",
        key="busy",
        request_hash=idempotency.request_fingerprint({"x": 1}),
        started_at=timezone.now(),
    )
    with pytest.raises(RequestInProgress) as caught:
        call(user, "busy", {"x": 1}, lambda: Answer(201, {}))
    assert caught.value.status_code == 409


def test_a_request_that_died_half_way_runs_again_after_it_is_stale(db):
    user = UserFactory.create()
    started = timezone.now() - idempotency.STALE_AFTER - dt.timedelta(seconds=1)
    IdempotencyRecord.objects.create(
        user=user,
        operation="test.op",
        key="crashed",
        request_hash=idempotency.request_fingerprint({"x": 1}),
        started_at=started,
    )
    answer = call(user, "crashed", {"x": 1}, lambda: Answer(201, {"again": True}))
    assert not answer.replayed
    assert answer.body == {"again": True}
    record = IdempotencyRecord.objects.get()
    assert record.state == IdempotencyRecord.State.COMPLETED


def test_a_failed_run_frees_the_key(db):
    user = UserFactory.create()

    def refuse():
        raise InvalidInput("no", code="no")

    with pytest.raises(InvalidInput):
        call(user, "k", {"x": 1}, refuse)
    assert IdempotencyRecord.objects.count() == 0
    assert call(user, "k", {"x": 2}, lambda: Answer(201, {})).status == 201


@pytest.mark.parametrize("key", ["", "   ", "x" * 65, "ключ", "a\x00b"])
def test_malformed_keys_are_refused(db, key):
    user = UserFactory.create()
    with pytest.raises(InvalidInput):
        call(user, key, {}, lambda: Answer(201, {}))
    assert IdempotencyRecord.objects.count() == 0
