"""The caller's real-name profile. Completing it grants the credit line, so the endpoint
lives in loans; the profile itself and its output are accounts'."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.apis import (
    REFUSED_RESPONSES,
    BorrowerSelfApi,
    ProfileOutputSerializer,
    profile_to_json,
)
from accounts.models import User
from accounts.selectors import borrower_profile_get
from common.api import ErrorSerializer
from common.request_context import client_context
from common.selectors import business_date_get
from loans.services import borrower_profile_submit


def _borrower(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsBorrower let only borrowers through
    return user


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
        credit_report_authorised = serializers.BooleanField(
            required=False,
            default=False,
            help_text="True: the credit-report authorisation was shown and accepted. "
            "Completing the profile needs it (`credit_report_not_authorised`).",
        )

    @extend_schema(
        operation_id="me_profile_get", responses={200: ProfileOutputSerializer, **REFUSED_RESPONSES}
    )
    def get(self, request: Request) -> Response:
        user = _borrower(request)
        return Response(profile_to_json(user, borrower_profile_get(user=user)))

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
            **REFUSED_RESPONSES,
        },
    )
    def put(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _borrower(request)
        now = timezone.now()
        profile = borrower_profile_submit(
            user=user,
            business_date=business_date_get(),
            now=now,
            context=client_context(request._request),
            language=get_language() or settings.LANGUAGE_CODE,
            **serializer.validated_data,
        )
        completed_now = profile.completed_at == now
        return Response(
            profile_to_json(user, profile),
            status=status.HTTP_201_CREATED if completed_now else status.HTTP_200_OK,
        )
