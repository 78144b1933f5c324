"""Sign-up, sign-in (an API token), sign-out and password change."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_credentials
from django.conf import settings
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.backends import normalize_identifier
from accounts.lockout import (
    LOCKED_OUT_CODE,
    is_locked_out,
    lockout_answered,
    lockout_message,
    lockout_remaining,
)
from accounts.models import PhoneCode, User
from accounts.permissions import IsBorrower
from common.api import ErrorSerializer
from common.exceptions import InvalidInput
from common.request_context import client_context

# Token first: an anonymous caller is challenged with 401 and `WWW-Authenticate: Token`.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # the permission class guarantees it
    return user


class UserOutputSerializer(serializers.Serializer[User]):
    public_id = serializers.UUIDField()
    username = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class TokenOutputSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    user = UserOutputSerializer()


class _Credentials(serializers.Serializer[Any]):
    identifier = serializers.CharField(
        max_length=254, help_text="A mainland mobile number (11 digits) or an e-mail address."
    )
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class SignupApi(APIView):
    """Open a borrower account and sign in: returns an API token. A mobile number needs
    the code sent to it (`POST /auth/phone-codes/`, purpose `signup`); the user agreement
    and the privacy policy (current versions) must be accepted."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema_serializer(component_name="SignupInput")
    class InputSerializer(_Credentials):
        code = serializers.CharField(
            max_length=12,
            required=False,
            allow_blank=True,
            help_text="The one-time code sent to the mobile number (not for e-mail sign-ups).",
        )
        accept_agreements = serializers.BooleanField(
            help_text="True: the user agreement and the privacy policy were shown and accepted."
        )

    @extend_schema(
        operation_id="auth_signup",
        request=InputSerializer,
        responses={201: TokenOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        examples=[
            OpenApiExample(
                "By mobile number",
                value={
                    "identifier": "138 0013 8000",
                    "code": "123456",
                    "password": "a long passphrase",
                    "accept_agreements": True,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        now = timezone.now()
        context = client_context(request._request)
        user = services.user_signup(
            identifier=data["identifier"],
            password=data["password"],
            code=data.get("code", ""),
            agreements_accepted=data["accept_agreements"],
            language=get_language() or settings.LANGUAGE_CODE,
            context=context,
            now=now,
        )
        token = services.auth_token_issue(user=user, context=context, now=now)
        return Response(
            TokenOutputSerializer({"token": token, "user": user}).data,
            status=status.HTTP_201_CREATED,
        )


class PhoneCodeApi(APIView):
    """Send a one-time code by text message, for a sign-up or a password reset. One a
    minute per number and a few a day (429 `phone_code_throttled`, with `Retry-After`).
    For a password reset the answer is the same whether the number has an account or not."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema_serializer(component_name="PhoneCodeInput")
    class InputSerializer(serializers.Serializer[Any]):
        phone = serializers.CharField(max_length=32)
        purpose = serializers.ChoiceField(choices=PhoneCode.Purpose.values)

    @extend_schema_serializer(component_name="PhoneCodeOutput")
    class OutputSerializer(serializers.Serializer[Any]):
        phone_masked = serializers.CharField()
        expires_at = serializers.DateTimeField()
        resend_after = serializers.DateTimeField()
        detail = serializers.CharField()

    @extend_schema(
        operation_id="auth_phone_code_send",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: ErrorSerializer,
            429: OpenApiResponse(ErrorSerializer, description="`phone_code_throttled`"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sent = services.phone_code_send(
                **serializer.validated_data,
                context=client_context(request._request),
                now=timezone.now(),
            )
        except services.TooManyCodes as exc:
            return Response(
                {"detail": exc.detail, "code": exc.code},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        detail = _("We sent a code to %(phone)s. It is valid for %(minutes)s minutes.") % {
            "phone": sent.phone_masked,
            "minutes": sent.valid_minutes,
        }
        return Response(
            self.OutputSerializer(
                {
                    "phone_masked": sent.phone_masked,
                    "expires_at": sent.expires_at,
                    "resend_after": sent.resend_after,
                    "detail": detail,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


class PasswordResetApi(APIView):
    """Set a new password with the code sent to the account's mobile number (purpose
    `password_reset`). Every other sign-in ends."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema_serializer(component_name="PasswordResetInput")
    class InputSerializer(serializers.Serializer[Any]):
        phone = serializers.CharField(max_length=32)
        code = serializers.CharField(max_length=12)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        operation_id="auth_password_reset",
        request=InputSerializer,
        responses={204: None, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_password_reset_by_phone(
            **serializer.validated_data,
            context=client_context(request._request),
            now=timezone.now(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginApi(APIView):
    """Sign in with a mobile number or e-mail address and a password: returns the API
    token. After 5 failures for the same identifier from the same IP, sign-in is locked
    for a while (429 `locked_out`, with `Retry-After`)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema_serializer(component_name="LoginInput")
    class InputSerializer(_Credentials):
        pass

    @extend_schema(
        operation_id="auth_login",
        request=InputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="`invalid_credentials`"),
            403: OpenApiResponse(ErrorSerializer, description="`not_a_borrower`: staff"),
            429: OpenApiResponse(ErrorSerializer, description="`locked_out`"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identifier = normalize_identifier(serializer.validated_data["identifier"])
        http_request = request._request
        user = authenticate(
            http_request, username=identifier, password=serializer.validated_data["password"]
        )
        if is_locked_out(http_request):
            lockout_answered(http_request)
            remaining = lockout_remaining(http_request, get_credentials(identifier))
            return Response(
                {"detail": lockout_message(remaining), "code": LOCKED_OUT_CODE},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(math.ceil(remaining.total_seconds()))},
            )
        if not isinstance(user, User):
            raise InvalidInput(
                _("The mobile number, e-mail or password is not correct."),
                code="invalid_credentials",
            )
        token = services.auth_token_issue(
            user=user, context=client_context(http_request), now=timezone.now()
        )
        # What `login()` would announce: axes clears the failures, last_login is set.
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response(TokenOutputSerializer({"token": token, "user": user}).data)


class LogoutApi(APIView):
    """Sign out: the API token is deleted (on every device); a browser session ends too."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={204: None, 401: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        services.auth_token_revoke(user=_user(request))
        if isinstance(request.successful_authenticator, SessionAuthentication):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    """Change the password. Every other sign-in ends; the response carries the caller's
    new API token."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsBorrower]

    @extend_schema_serializer(component_name="PasswordChangeInput")
    class InputSerializer(serializers.Serializer[Any]):
        old_password = serializers.CharField(max_length=128, trim_whitespace=False)
        new_password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema_serializer(component_name="PasswordChangeOutput")
    class OutputSerializer(serializers.Serializer[Any]):
        token = serializers.CharField()

    @extend_schema(
        operation_id="auth_password_change",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _user(request)
        token = services.user_password_change(
            user=user,
            **serializer.validated_data,
            context=client_context(request._request),
            now=timezone.now(),
            issue_token=True,
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request._request, user)
        return Response(self.OutputSerializer({"token": token}).data)
