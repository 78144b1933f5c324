"""What the accounts tables hold, to assert that a refused request changed nothing."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token

from accounts.models import (
    AgreementAcceptance,
    BiometricConsent,
    BorrowerProfile,
    PhoneCode,
    SecurityEvent,
    User,
)
from loans.models import CreditLine


def accounts_state() -> dict[str, Any]:
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "phone", "email", "password", "is_active"
            )
        ),
        "profiles": list(
            BorrowerProfile.objects.order_by("pk").values_list(
                "pk",
                "full_name",
                "id_number_digest",
                "bank_card_masked",
                "bank_name",
                "updated_at",
            )
        ),
        "profile_history": BorrowerProfile.history.count(),
        "security_events": list(SecurityEvent.objects.order_by("pk").values_list("pk", "kind")),
        "consents": list(
            BiometricConsent.objects.order_by("pk").values_list(
                "pk", "text_version", "withdrawn_at"
            )
        ),
        "tokens": sorted(Token.objects.values_list("key", flat=True)),
        "agreements": list(
            AgreementAcceptance.objects.order_by("pk").values_list("pk", "document", "version")
        ),
        "phone_codes": list(
            PhoneCode.objects.order_by("pk").values_list("pk", "attempts", "consumed_at")
        ),
        "credit_lines": CreditLine.objects.count(),
    }
