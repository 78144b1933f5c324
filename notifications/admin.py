"""Notices in the back office: what each borrower was told, and whether it reached them.
Read-only: notices are written by the services that report events."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin_mixins import ReadOnlyAdminMixin
from notifications.kinds import notice_render
from notifications.models import Notification, NotificationDelivery


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline[NotificationDelivery, Notification]):
    model = NotificationDelivery
    fields = ("channel", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Notification]):
    list_display = ("created_at", "user", "kind", "text", "read_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__phone", "user__email")
    readonly_fields = ("user", "kind", "text", "link", "created_at", "read_at")
    fields = readonly_fields
    inlines = [DeliveryInline]
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    @admin.display(description=_("text"))
    def text(self, obj: Notification) -> str:
        return notice_render(obj).body
