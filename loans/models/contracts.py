"""The loan contract a borrower accepted: the exact text, in the language it was shown in,
of the contract version accepted with an application (DOMAIN.md §2). Insert-only (a
trigger): it is the evidence of what was agreed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from loans.models.applications import LoanApplication


class LoanContract(models.Model):
    application = models.OneToOneField(
        LoanApplication, on_delete=models.PROTECT, related_name="contract"
    )
    version = models.CharField(_("contract version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    text = models.TextField(_("text accepted"))
    # SHA-256 of `text`: what a client that showed the contract sends back to prove it
    # showed this very text.
    digest = models.CharField(_("text digest"), max_length=64)
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("loan contract")
        verbose_name_plural = _("loan contracts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(version="") & ~Q(text="") & Q(Exact(Length("digest"), 64)),
                name="loan_contract_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} v{self.version}"
