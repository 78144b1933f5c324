"""The caller's own profile and biometric consent. ID and card numbers go in, only their
masks come out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.apis.auth import AUTHENTICATION, _user
from accounts.consent import BIOMETRIC_CONSENT_VERSION, biometric_consent_text
from accounts.models import BiometricConsent, BorrowerProfile, User
from accounts.permissions import IsBorrower
from common.api import ErrorSerializer
from common.request_context import client_context
from common.selectors import business_date_get
from verification.services import face_consent_withdraw

_REFUSED = {401: ErrorSerializer, 403: ErrorSerializer}


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


class ProfileApi(BorrowerSelfApi):
    """GET the real-name profile (masked). PUT completes it (every field; the credit line
    is granted) or edits it (only the fields given: mobile number, bank card and bank;
    name and ID number are fixed once complete)."""

    @extend_schema_serializer(component_name="ProfileInput")
    class InputSerializer(serializers.Serializer[Any]):
        full_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
        id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
        phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
        bank_card_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
        bank_name = serializers.CharField(required=False, allow_blank=True, max_length=64)

    @extend_schema(
        operation_id="me_profile_get", responses={200: ProfileOutputSerializer, **_REFUSED}
    )
    def get(self, request: Request) -> Response:
        user = _user(request)
        return Response(profile_to_json(user, selectors.borrower_profile_get(user=user)))

    @extend_schema(
        operation_id="me_profile_put",
        request=InputSerializer,
        responses={
            200: OpenApiResponse(ProfileOutputSerializer, description="Edited."),
            201: OpenApiResponse(ProfileOutputSerializer, description="Completed."),
            400: ErrorSerializer,
            409: OpenApiResponse(
                ErrorSerializer, description="`id_number_taken`, `phone_taken`, `identity_locked`"
            ),
            **_REFUSED,
        },
    )
    def put(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _user(request)
        now = timezone.now()
        profile = services.borrower_profile_save(
            user=user,
            business_date=business_date_get(),
            now=now,
            context=client_context(request._request),
            **serializer.validated_data,
        )
        completed_now = profile.completed_at == now
        return Response(
            profile_to_json(user, profile),
            status=status.HTTP_201_CREATED if completed_now else status.HTTP_200_OK,
        )


class ConsentOutputSerializer(serializers.Serializer[BiometricConsent]):
    text_version = serializers.CharField()
    granted_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class BiometricConsentApi(BorrowerSelfApi):
    """The separate consent to face recognition. GET shows the text to agree to (in the
    request's language) and the current consent; POST agrees to it; DELETE withdraws it
    (always possible)."""

    @extend_schema_serializer(component_name="BiometricConsentText")
    class TextOutputSerializer(serializers.Serializer[Any]):
        text_version = serializers.CharField()
        text = serializers.CharField()
        consent = ConsentOutputSerializer(allow_null=True)

    @extend_schema_serializer(component_name="BiometricConsentInput")
    class InputSerializer(serializers.Serializer[Any]):
        text_version = serializers.CharField(
            max_length=32, help_text="The version of the text the borrower read (from GET)."
        )
        agree = serializers.BooleanField(help_text="Must be true: consent is never implied.")

        def validate_agree(self, value: bool) -> bool:
            if not value:
                raise serializers.ValidationError(
                    "Consent must be given explicitly: send true.", code="not_given"
                )
            return value

    @extend_schema(
        operation_id="me_biometric_consent_get",
        responses={200: TextOutputSerializer, **_REFUSED},
    )
    def get(self, request: Request) -> Response:
        consent = selectors.biometric_consent_active(user=_user(request))
        return Response(
            self.TextOutputSerializer(
                {
                    "text_version": BIOMETRIC_CONSENT_VERSION,
                    "text": biometric_consent_text(get_language() or settings.LANGUAGE_CODE),
                    "consent": consent,
                }
            ).data
        )

    @extend_schema(
        operation_id="me_biometric_consent_grant",
        request=InputSerializer,
        responses={201: ConsentOutputSerializer, 400: ErrorSerializer, **_REFUSED},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.biometric_consent_grant(
            user=_user(request),
            text_version=serializer.validated_data["text_version"],
            context=client_context(request._request),
            now=timezone.now(),
        )
        return Response(ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="me_biometric_consent_withdraw",
        request=None,
        responses={
            200: ConsentOutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="`consent_not_active`"),
            **_REFUSED,
        },
    )
    def delete(self, request: Request) -> Response:
        # Withdrawing the consent also erases every bit of the borrower's face data.
        consent = face_consent_withdraw(user=_user(request), now=timezone.now())
        return Response(ConsentOutputSerializer(consent).data)
