"""The borrower's notices through the API (what a mobile app shows in its inbox)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsBorrower
from common.api import ErrorSerializer
from notifications.kinds import notice_render
from notifications.models import Notification
from notifications.selectors import notifications_for_user, notifications_unread_count
from notifications.services import notifications_mark_read


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsBorrower let only borrowers through
    return user


class NotificationOutputSerializer(serializers.Serializer[Notification]):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.CharField()
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_title(self, notice: Notification) -> str:
        return notice_render(notice).title

    def get_text(self, notice: Notification) -> str:
        return notice_render(notice).body


class NotificationListApi(APIView):
    """The latest 50 notices, newest first, in the request's language, and how many are
    unread."""

    permission_classes = [IsBorrower]

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "NotificationList"

        unread = serializers.IntegerField()
        results = NotificationOutputSerializer(many=True)

    @extend_schema(operation_id="notifications_list", responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        user = _user(request)
        data = {
            "unread": notifications_unread_count(user=user),
            "results": notifications_for_user(user=user),
        }
        return Response(self.OutputSerializer(data).data)


class NotificationReadApi(APIView):
    """Mark notices read: the ones listed in `ids`, or all of them when `ids` is left out."""

    permission_classes = [IsBorrower]

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "NotificationReadInput"

        ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=200)

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "NotificationReadOutput"

        marked = serializers.IntegerField()
        unread = serializers.IntegerField()

    @extend_schema(
        operation_id="notifications_read",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = _user(request)
        ids = serializer.validated_data.get("ids")
        marked = notifications_mark_read(
            user=user,
            now=timezone.now(),
            public_ids=[str(i) for i in ids] if ids is not None else None,
        )
        return Response(
            self.OutputSerializer(
                {"marked": marked, "unread": notifications_unread_count(user=user)}
            ).data
        )
