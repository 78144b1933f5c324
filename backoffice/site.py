"""The back office's admin site: Django's, with the dashboard as its first page (the app
list stays below it) and the loan's whole story."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path


class BackOfficeSite(admin.AdminSite):
    index_template = "admin/backoffice/dashboard.html"

    def index(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        from backoffice.views import dashboard_context

        context = {**dashboard_context(request), **(extra_context or {})}
        return super().index(request, context)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from backoffice.views import loan_story_view

        story = path(
            "loans/loan/<int:loan_id>/story/",
            self.admin_view(loan_story_view),
            name="loans_loan_story",
        )
        return [story, *super().get_urls()]
