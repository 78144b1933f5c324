from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _grant_app_role(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from common.db.grants import app_role_grant

    app_role_grant(using=using)


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from common.admin_labels import admin_labels_translate

        # Every app's models are loaded by now.
        admin_labels_translate()
        # Once per migrate (post_migrate is sent for every app; this one is enough).
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="common.grant_app_role")
