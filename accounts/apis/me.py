"""The caller's own profile and biometric consent: the base view and the output
serializers. ID and card numbers go in, only their masks come out.

The endpoints themselves span apps and live above accounts: `/me/profile/` in
`loans.apis.profile` (completing the profile grants the credit line) and
`/me/biometric-consent/` in `verification.apis` (withdrawing the consent erases the face
data)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.views import APIView

from accounts.apis.auth import AUTHENTICATION
from accounts.models import BiometricConsent, BorrowerProfile, User
from accounts.permissions import IsBorrower
from common.api import ErrorSerializer

REFUSED_RESPONSES = {401: ErrorSerializer, 403: ErrorSerializer}


class BorrowerSelfApi(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsBorrower]


class ProfileOutputSerializer(serializers.Serializer[Any]):
    complete = serializers.BooleanField(help_text="False until the real-name details are in.")
    phone = serializers.CharField()
    full_name = serializers.CharField(allow_null=True)
    id_number_masked = serializers.CharField(allow_null=True, help_text="e.g. 110***********123X")
    birth_date = serializers.DateField(allow_null=True)
    bank_card_masked = serializers.CharField(allow_null=True, help_text="e.g. 6222 **** **** 1234")
    bank_name = serializers.CharField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


def profile_to_json(user: User, profile: BorrowerProfile | None) -> dict[str, Any]:
    return ProfileOutputSerializer(
        {
            "complete": profile is not None,
            "phone": user.phone,
            "full_name": profile.full_name if profile else None,
            "id_number_masked": profile.id_number_masked if profile else None,
            "birth_date": profile.birth_date if profile else None,
            "bank_card_masked": profile.bank_card_masked if profile else None,
            "bank_name": profile.bank_name if profile else None,
            "completed_at": profile.completed_at if profile else None,
            "updated_at": profile.updated_at if profile else None,
        }
    ).data


class ConsentOutputSerializer(serializers.Serializer[BiometricConsent]):
    text_version = serializers.CharField()
    granted_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()
