from typing import Any

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.models import Group
        from django.contrib.auth.signals import user_logged_in
        from simple_history import register

        # The roles' history (name and permissions); memberships are in the users' history.
        register(Group, app="accounts", m2m_fields=["permissions"])
        # A sign-in is a security event, not a change of the account: its time is stored
        # without a history record (Django's receiver saves the user).
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(_last_login_store, dispatch_uid="accounts_last_login")


def _last_login_store(sender: Any, user: Any, **kwargs: Any) -> None:
    from django.utils import timezone

    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


class SignInProtectionConfig(AxesAppConfig):
    """django-axes (failed sign-ins and lock-outs) under a name staff read in their
    language."""

    verbose_name = _("Sign-in protection")
