"""Sign-up, sign-in (an API token), sign-out and password change."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_credentials
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
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
from accounts.models import User
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
    """Open a borrower account and sign in: returns an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]

    @extend_schema_serializer(component_name="SignupInput")
    class InputSerializer(_Credentials):
        pass

    @extend_schema(
        operation_id="auth_signup",
        request=InputSerializer,
        responses={201: TokenOutputSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        examples=[
            OpenApiExample(
                "By mobile number",
                value={"identifier": "138 0013 8000", "password": "a long passphrase"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        now = timezone.now()
        user = services.user_signup(**serializer.validated_data, now=now)
        token = services.auth_token_issue(
            user=user, context=client_context(request._request), now=now
        )
        return Response(
            TokenOutputSerializer({"token": token, "user": user}).data,
            status=status.HTTP_201_CREATED,
        )


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
