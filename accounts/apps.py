from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")


class SignInProtectionConfig(AxesAppConfig):
    """django-axes (failed sign-ins and lock-outs) under a name staff read in their
    language."""

    verbose_name = _("Sign-in protection")
