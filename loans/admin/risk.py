"""The risk rules and the face-check threshold staff tune."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import bulk_update_with_history

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
    actions = ["switch_on", "switch_off"]

    def _switch(self, request: HttpRequest, queryset: QuerySet[RiskRule], enabled: bool) -> int:
        # One statement for the rules, and a history record for each (a plain
        # queryset.update() would leave no trace of who switched them).
        rules = list(queryset.order_by("pk"))
        for rule in rules:
            rule.enabled = enabled
        return int(
            bulk_update_with_history(
                rules, RiskRule, ["enabled"], default_user=request.user, batch_size=500
            )
            or 0
        )

    @admin.action(description=_("Switch the selected rules on"), permissions=["change"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[RiskRule]) -> None:
        self._switch(request, queryset, True)
        self.message_user(request, _("The selected rules are on."), level=messages.SUCCESS)

    @admin.action(description=_("Switch the selected rules off"), permissions=["change"])
    def switch_off(self, request: HttpRequest, queryset: QuerySet[RiskRule]) -> None:
        self._switch(request, queryset, False)
        self.message_user(request, _("The selected rules are off."), level=messages.SUCCESS)

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
