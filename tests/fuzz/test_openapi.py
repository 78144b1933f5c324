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
import re
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
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
from tests.verification.support import submit_draw

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

# Amounts and rates (`format: decimal`): plain decimals of every size, and the spellings
# that Python's Decimal() reads but a lender must refuse (DOMAIN.md §8).
_DECIMALS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(lambda d: f"{d:f}"),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.from_regex(r"-?[0-9]{1,40}(\.[0-9]{1,12})?", fullmatch=True),
    st.sampled_from(
        [
            "1e30",
            "1E+4",
            "-1e-30",
            "NaN",
            "-nan",
            "sNaN",
            "Infinity",
            "-Infinity",
            "inf",
            "1_000",
            "\uff11\uff10\uff10",
            "\u0661\u0660",
            "12345678901234567890123456.789",
            "9" * 400,
            "0." + "0" * 300 + "1",
            " 100 ",
            "\u00a0100",
            "100.",
            ".5",
            "+1",
            "0x10",
            "1,000",
        ]
    ),
)
schemathesis.openapi.format("decimal", _DECIMALS)
_requests: Counter[tuple[str, str]] = Counter()
_statuses: Counter[tuple[str, int]] = Counter()
_UUID = re.compile(r"[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}")


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
    """A borrower with a disbursed loan and a second application waiting for its face
    check, so that the ids in paths can name real things of theirs."""
    product = MicroProductFactory.create(code="weili")
    user = borrower(business_date=business_date_get())
    first = submit_draw(user, "1000", "fuzz-first", business_date_get())
    waiting = submit_draw(user, "8000", "fuzz-waiting", business_date_get())
    assert (first.status, waiting.status) == ("disbursed", "face_check_required")
    assert product.pk is not None
    return user, {
        "/api/v1/applications/": [str(waiting.public_id), str(first.public_id)],
        "/api/v1/loans/": [str(first.loan.public_id)],
    }


def _real_ids(case, ids) -> None:
    """Every other example with a well-formed id in its path gets one of the borrower's
    own ids instead, so the fuzzing reaches the handlers behind the lookup too."""
    value = (case.path_parameters or {}).get("public_id")
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        return
    for prefix, candidates in ids.items():
        if case.path.startswith(prefix):
            count = _requests[("borrower", case.operation.label)]
            if count % 2:
                case.path_parameters["public_id"] = candidates[count // 2 % len(candidates)]


def _fuzz(case, caller, headers):
    _requests[(caller, case.operation.label)] += 1
    response = case.call(headers=headers)
    _statuses[(caller, response.status_code)] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)


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
    user, ids = signed_in_borrower
    # Signing out deletes the token; put it back so every example is signed in.
    Token.objects.get_or_create(user=user, defaults={"key": TOKEN})
    Token.objects.filter(user=user).update(key=TOKEN)
    _real_ids(case, ids)
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
        "statuses": {
            caller: {str(code): n for (c, code), n in sorted(_statuses.items()) if c == caller}
            for caller in callers
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
