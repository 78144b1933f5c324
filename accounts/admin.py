"""The back office view of accounts. Staff see ID and card numbers only masked: no admin
page, list, inline or history lists an encrypted field. Profiles, security events and
consents are read-only here: they change only through the borrower's own services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import Field, ManyToManyField, QuerySet
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.identity import id_number_digests
from accounts.models import BiometricConsent, BorrowerProfile, SecurityEvent, User

PROFILE_FIELDS = (
    "full_name",
    "id_number_masked",
    "birth_date",
    "bank_card_masked",
    "bank_name",
    "completed_at",
    "updated_at",
)


_PERMISSION_ACTIONS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission as staff read it, in the admin's language: "app | model | what it
    allows" (Django stores the English words "Can add ..." in the table)."""
    content_type = permission.content_type
    model = content_type.model_class()
    model_name = str(model._meta.verbose_name) if model else content_type.model
    try:
        app_name = str(django_apps.get_app_config(content_type.app_label).verbose_name)
    except LookupError:
        app_name = content_type.app_label
    action = permission.codename.split("_", 1)[0]
    default = f"{action}_{model._meta.model_name}" if model else ""
    if action in _PERMISSION_ACTIONS and permission.codename == default:
        what = str(_PERMISSION_ACTIONS[action]) % {"model": model_name}
    else:
        what = gettext(permission.name)  # a custom permission: its name, if translated
    return f"{app_name} | {model_name} | {what}"


class PermissionLabelsField(ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A many-to-many picker whose permissions read as `permission_label` says."""

    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, Permission):
            return permission_label(obj)
        return str(super().label_from_instance(obj))


# The permission pickers of users and groups.
PERMISSION_LABELS: Mapping[type[Field[Any, Any]], Mapping[str, Any]] = {
    ManyToManyField: {"form_class": PermissionLabelsField}
}


class ReadOnlyAdminMixin:
    """Viewable, never added, changed or deleted through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BorrowerProfileInline(ReadOnlyAdminMixin, admin.StackedInline[BorrowerProfile, User]):
    model = BorrowerProfile
    fields = PROFILE_FIELDS
    readonly_fields = PROFILE_FIELDS
    can_delete = False
    extra = 0
    verbose_name_plural = _("real-name profile")


admin.site.unregister(Group)


class RoleListFilter(admin.RelatedFieldListFilter):
    """Filter by group, the roles named in the staff's language."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        return [
            (pk, gettext(str(name)))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin, BaseGroupAdmin):
    """The roles (accounts/roles.py names them in English; shown in the staff's language),
    with the history of their permissions."""

    formfield_overrides = PERMISSION_LABELS
    list_display = ["role_name", "name"]

    @admin.display(description=_("role"), ordering="name")
    def role_name(self, group: Group) -> str:
        return gettext(group.name)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin[User]):
    """Accounts with their history: who changed what, including their groups (roles)."""

    formfield_overrides = PERMISSION_LABELS
    list_display = [
        "username",
        "phone",
        "email",
        "is_staff",
        "has_profile",
        "is_active",
        "date_joined",
    ]
    list_select_related = ["profile"]
    search_fields = ["username", "phone", "email", "public_id"]
    ordering = ["-date_joined", "-pk"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or []),
        (_("Contact"), {"fields": ["phone", "public_id"]}),
    ]
    readonly_fields = ["public_id"]
    history_list_display = ["roles_then"]
    list_filter = ["is_staff", "is_superuser", "is_active", ("groups", RoleListFilter)]

    @admin.display(description=_("roles"))
    def roles_then(self, record: Any) -> str:
        """The groups the account was in after that change."""
        names = sorted(gettext(row.group.name) for row in record.groups.select_related("group"))
        return "、".join(names) or "–"

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[InlineModelAdmin[Any, Any]]]:
        return [BorrowerProfileInline] if obj is not None and not obj.is_staff else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A borrower's mobile number changes through their profile, which records a
        # security event; staff editing it here would bypass that.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.is_staff:
            fields.append("phone")
        return fields

    @admin.display(boolean=True, description=_("profile complete"))
    def has_profile(self, user: User) -> bool:
        return hasattr(user, "profile")


@admin.register(BorrowerProfile)
class BorrowerProfileAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["full_name", "id_number_masked", "user", "bank_card_masked", "bank_name"]
    list_select_related = ["user"]
    fields = ["user", *PROFILE_FIELDS]
    readonly_fields = ["user", *PROFILE_FIELDS]
    search_fields = ["full_name", "user__username", "user__phone", "user__email"]
    search_help_text = _("Name, mobile number, e-mail, or a full ID number (matched by digest).")
    ordering = ["-completed_at", "-pk"]
    history_list_display = ["full_name", "id_number_masked", "bank_card_masked", "bank_name"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[BorrowerProfile], search_term: str
    ) -> tuple[QuerySet[BorrowerProfile], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().upper()
        if len(term) == 18:
            results |= queryset.filter(id_number_digest__in=id_number_digests(term))
        return results, may_have_duplicates


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SecurityEvent]):
    list_display = ["occurred_at", "user", "kind", "ip_address", "device_id", "detail"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__phone", "user__email", "ip_address", "device_id"]
    date_hierarchy = "occurred_at"
    ordering = ["-occurred_at", "-pk"]


@admin.register(BiometricConsent)
class BiometricConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[BiometricConsent]):
    list_display = ["user", "text_version", "granted_at", "withdrawn_at", "ip_address"]
    list_filter = ["text_version", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__phone", "user__email"]
    ordering = ["-granted_at", "-pk"]
