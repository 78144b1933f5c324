"""Schema-driven fuzzing of the whole API (DOMAIN.md §8): every operation of the OpenAPI
schema gets at least FUZZ_EXAMPLES generated requests, valid and invalid, once anonymous
and once signed in as a borrower, with a fixed seed. A 5xx, or any response that the
schema does not describe (status, content type, headers, body), fails the test.

Run on its own with `make fuzz`; `make test` and CI run it with everything else. The
counts of the last run are written to `var/fuzz-counts[-<xdist worker>].json` (operations,
requests per operation and caller); a failure fails the test run."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from common.selectors import business_date_get
from config.wsgi import application
from tests.loans.factories import MicroProductFactory, borrower

FUZZ_EXAMPLES = 100
FUZZ_SEED = 20240510
TOKEN = "f" * 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]
_requests: Counter[tuple[str, str]] = Counter()


def _load_schema() -> schemathesis.BaseSchema:
    """The schema exactly as /api/schema/ serves it, generated in-process (no database),
    with requests sent to the WSGI application."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application
    loaded.location = "/api/schema/"
    return loaded


schema = _load_schema()


@pytest.fixture(autouse=True)
def _fuzz_settings(transactional_db, settings):
    # Argon2 costs ~0.1 s a hash on purpose; the fuzzer signs up and in a few hundred
    # times. The hasher's input handling is the same for every Django hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(
            django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]  # type: ignore[call-overload]
        ),
    }


@pytest.fixture
def signed_in_borrower(transactional_db):
    MicroProductFactory.create(code="weili")
    return borrower(business_date=business_date_get())


def _fuzz(case, caller, headers):
    _requests[(caller, case.operation.label)] += 1
    case.call_and_validate(headers=headers, checks=CHECKS)


_SETTINGS = hypothesis.settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


@schema.parametrize()
@_SETTINGS
@hypothesis.seed(FUZZ_SEED)
def test_anonymous(case):
    _fuzz(case, "anonymous", headers={})


@schema.parametrize()
@_SETTINGS
@hypothesis.seed(FUZZ_SEED)
def test_signed_in_borrower(case, signed_in_borrower):
    # Signing out deletes the token; put it back so every example is signed in.
    Token.objects.get_or_create(user=signed_in_borrower, defaults={"key": TOKEN})
    Token.objects.filter(user=signed_in_borrower).update(key=TOKEN)
    _fuzz(case, "borrower", headers={"Authorization": f"Token {TOKEN}"})


@pytest.fixture(autouse=True, scope="module")
def _write_counts():
    yield
    callers = sorted({caller for caller, _ in _requests})
    summary = {
        "operations": len({label for _, label in _requests}),
        "requests": sum(_requests.values()),
        "fewest_requests_per_operation": {
            caller: min(n for (c, _), n in _requests.items() if c == caller) for caller in callers
        },
        "per_operation": {
            f"{caller} {label}": n for (caller, label), n in sorted(_requests.items())
        },
    }
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"fuzz-counts-{worker}.json" if worker else "fuzz-counts.json"
    target = Path(django_settings.BASE_DIR) / "var" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(summary, indent=2))
