from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "phone", "email", "is_staff", "is_active", "date_joined"]
    search_fields = ["username", "phone", "email", "public_id"]
    ordering = ["-date_joined", "-pk"]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or []),
        (_("Contact"), {"fields": ["phone", "public_id"]}),
    ]
    readonly_fields = ["public_id"]
