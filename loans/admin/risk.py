"""The risk rules and the face-check threshold staff tune."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from loans.models import RiskRule, RiskSettings


@admin.register(RiskRule)
class RiskRuleAdmin(SimpleHistoryAdmin[RiskRule]):
    list_display = [
        "code",
        "enabled",
        "weight",
        "amount",
        "days",
        "hours",
        "count",
        "start_hour",
        "end_hour",
    ]
    list_editable = ["enabled", "weight"]
    ordering = ["code"]
    readonly_fields = ["code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RiskSettings)
class RiskSettingsAdmin(SimpleHistoryAdmin[RiskSettings]):
    list_display = ["face_check_threshold", "repeat_loan_policy"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RiskSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
