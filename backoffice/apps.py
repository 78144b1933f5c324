from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the back office's site: the dashboard as its first page and the
    loan's whole story (`backoffice.site.BackOfficeSite`)."""

    default = False
    default_site = "backoffice.site.BackOfficeSite"


class BackOfficeConfig(AppConfig):
    default = True
    name = "backoffice"
    verbose_name = _("Back office")
