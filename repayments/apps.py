from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepaymentsConfig(AppConfig):
    name = "repayments"
    verbose_name = _("Repayments")

    def ready(self) -> None:
        # Home and the loan page belong to loans, which cannot import this app (the import
        # layers): what they show about repaying is added here.
        from loans import views as loan_pages
        from repayments import views

        for page, extension in (("home", views.home_extension), ("loan", views.loan_extension)):
            if extension not in loan_pages.PAGE_EXTENSIONS[page]:
                loan_pages.PAGE_EXTENSIONS[page].append(extension)
