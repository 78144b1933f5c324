"""The collections queue: overdue loans, the most days past due first, with their last
contact and promise; on a loan's page its notes and promises, new ones added there (each
through its service, insert-only), and bulk actions to record a round of calls or texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import (
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.identity import phone_mask
from accounts.models import User
from backoffice.models import CollectionNote, OverdueLoan, PromiseToPay
from backoffice.selectors.collections import PromiseState, promise_states
from backoffice.selectors.dashboard import BUCKETS
from backoffice.services import (
    collection_note_check,
    collection_note_record,
    promise_to_pay_check,
    promise_to_pay_record,
)
from common.exceptions import DomainError
from common.forms import DecimalInputField
from common.selectors import business_date_get
from loans.models import Loan


def _staff(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin only lets staff in
    return user


class BucketFilter(admin.SimpleListFilter):
    title = _("days past due")
    parameter_name = "dpd"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (key, f"{low}–{high}" if high is not None else f"{low - 1}+")
            for key, low, high in BUCKETS
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        for key, low, high in BUCKETS:
            if self.value() == key:
                on = business_date_get()
                queryset = queryset.filter(oldest_unpaid_due_date__lte=on - dt.timedelta(days=low))
                if high is not None:
                    queryset = queryset.filter(
                        oldest_unpaid_due_date__gte=on - dt.timedelta(days=high)
                    )
        return queryset


class CollectionNoteForm(forms.ModelForm[CollectionNote]):
    class Meta:
        model = CollectionNote
        fields = ["channel", "outcome", "note"]
        widgets = {"note": forms.TextInput(attrs={"size": 60})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and self.has_changed():
            try:
                collection_note_check(
                    channel=data.get("channel", ""),
                    outcome=data.get("outcome", ""),
                    note=(data.get("note") or "").strip(),
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.detail, code=exc.code) from exc
        return data


class PromiseToPayForm(forms.ModelForm[PromiseToPay]):
    # Read by the same rules as every amount typed in (ASCII digits, two places at most).
    amount = DecimalInputField(label=_("amount promised"))

    class Meta:
        model = PromiseToPay
        fields = ["amount", "promised_date", "note"]
        widgets = {"note": forms.TextInput(attrs={"size": 40})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and self.has_changed():
            try:
                promise_to_pay_check(
                    amount=data["amount"],
                    promised_date=data["promised_date"],
                    business_date=business_date_get(),
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.detail, code=exc.code) from exc
        return data


class _AddOnlyInline(admin.TabularInline[Any, OverdueLoan]):
    """Existing rows are shown read-only; new ones are added (insert-only records)."""

    extra = 1
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CollectionNoteInline(_AddOnlyInline):
    model = CollectionNote
    form = CollectionNoteForm
    fields = ["created_at", "channel", "outcome", "note", "days_past_due", "author"]
    readonly_fields = ["created_at", "days_past_due", "author"]
    ordering = ["created_at", "pk"]
    formset: type[BaseInlineFormSet[Any, Any, Any]] = BaseInlineFormSet


class PromiseToPayInline(_AddOnlyInline):
    model = PromiseToPay
    form = PromiseToPayForm
    fields = ["created_at", "amount", "promised_date", "note", "state", "author"]
    readonly_fields = ["created_at", "state", "author"]
    ordering = ["created_at", "pk"]
    _states: dict[int, PromiseState] | None = None

    @admin.display(description=_("kept?"))
    def state(self, promise: PromiseToPay | None) -> str:
        if promise is None or promise.pk is None:
            return ""
        # Inline instances are made per request: the loan's promises are read once.
        states = self._states
        if states is None:
            promises = list(PromiseToPay.objects.filter(loan_id=promise.loan_id))
            states = self._states = promise_states(promises, on=business_date_get())
        return str(states[promise.pk].label)


@admin.register(OverdueLoan)
class OverdueLoanAdmin(admin.ModelAdmin[OverdueLoan]):
    list_display = [
        "public_id",
        "borrower_shown",
        "product",
        "principal_outstanding",
        "oldest_unpaid_due_date",
        "days_past_due",
        "last_contact",
        "last_promise",
        "story_link",
    ]
    list_filter = [BucketFilter, "product"]
    search_fields = ["public_id", "borrower__phone", "borrower__username"]
    list_select_related = ["borrower", "product"]
    ordering = ["oldest_unpaid_due_date", "pk"]
    inlines = [CollectionNoteInline, PromiseToPayInline]
    actions = ["record_no_answer", "record_text_sent"]
    fields = [
        "public_id",
        "borrower_shown",
        "product",
        "principal",
        "principal_outstanding",
        "oldest_unpaid_due_date",
        "days_past_due",
        "story_link",
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for name in self.fields or []]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OverdueLoan]:
        latest_note = CollectionNote.objects.filter(loan=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        latest_promise = PromiseToPay.objects.filter(loan=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        on = business_date_get()
        return (
            super()
            .get_queryset(request)
            # The loans whose oldest unpaid due date has passed (the `loan_active_aging` index).
            .filter(status=Loan.Status.ACTIVE, oldest_unpaid_due_date__lt=on)
            .annotate(
                # Days past due (DOMAIN.md §6): the business date − the oldest unpaid due date.
                late_by=ExpressionWrapper(
                    Value(on, output_field=DateField()) - F("oldest_unpaid_due_date"),
                    output_field=DurationField(),
                ),
                last_note_at=Subquery(latest_note.values("created_at")[:1]),
                last_note_outcome=Subquery(latest_note.values("outcome")[:1]),
                last_promise_date=Subquery(latest_promise.values("promised_date")[:1]),
                last_promise_amount=Subquery(latest_promise.values("amount")[:1]),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("borrower"))
    def borrower_shown(self, loan: OverdueLoan) -> str:
        user = loan.borrower
        return phone_mask(user.phone) if user.phone else user.username

    @admin.display(description=_("days past due"), ordering="-oldest_unpaid_due_date")
    def days_past_due(self, loan: Any) -> int | None:
        late = getattr(loan, "late_by", None)
        return late.days if late is not None else None

    @admin.display(description=_("last contact"), ordering="last_note_at")
    def last_contact(self, loan: Any) -> str:
        if not getattr(loan, "last_note_at", None):
            return "–"
        outcome = CollectionNote.Outcome(loan.last_note_outcome).label
        return f"{loan.last_note_at:%Y-%m-%d} {outcome}"

    @admin.display(description=_("promise to pay"))
    def last_promise(self, loan: Any) -> str:
        if not getattr(loan, "last_promise_date", None):
            return "–"
        return f"{loan.last_promise_amount} / {loan.last_promise_date:%Y-%m-%d}"

    @admin.display(description=_("whole story"))
    def story_link(self, loan: OverdueLoan) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:loans_loan_story", args=[loan.pk]), _("open")
        )

    def save_model(self, request: HttpRequest, obj: OverdueLoan, form: Any, change: bool) -> None:
        """The loan itself changes only through its services: nothing to save here."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """New notes and promises go through their services (existing rows are read-only)."""
        now = timezone.now()
        on = business_date_get()
        created: list[CollectionNote | PromiseToPay] = []
        # What the admin's change message and log read of a saved formset.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []
        for inline_form in formset.extra_forms:
            if not inline_form.has_changed():
                continue
            data = inline_form.cleaned_data
            if formset.model is CollectionNote:
                record: CollectionNote | PromiseToPay = collection_note_record(
                    loan_id=formset.instance.pk,
                    author=_staff(request),
                    channel=data["channel"],
                    outcome=data["outcome"],
                    note=data.get("note") or "",
                    business_date=on,
                    now=now,
                )
            else:
                record = promise_to_pay_record(
                    loan_id=formset.instance.pk,
                    author=_staff(request),
                    amount=data["amount"],
                    promised_date=data["promised_date"],
                    note=data.get("note") or "",
                    business_date=on,
                    now=now,
                )
            created.append(record)

    def _record_round(
        self, request: HttpRequest, queryset: QuerySet[OverdueLoan], channel: str, outcome: str
    ) -> None:
        recorded = 0
        now = timezone.now()
        on = business_date_get()
        for loan in queryset.order_by("pk"):
            try:
                collection_note_record(
                    loan_id=loan.pk,
                    author=_staff(request),
                    channel=channel,
                    outcome=outcome,
                    note="",
                    business_date=on,
                    now=now,
                )
            except DomainError as exc:
                self.message_user(request, f"{loan.public_id}: {exc.detail}", messages.ERROR)
            else:
                recorded += 1
        if recorded:
            self.message_user(
                request, _("%(n)s contacts recorded.") % {"n": recorded}, messages.SUCCESS
            )

    @admin.action(description=_("Record a call with no answer"), permissions=["change"])
    def record_no_answer(self, request: HttpRequest, queryset: QuerySet[OverdueLoan]) -> None:
        self._record_round(
            request, queryset, CollectionNote.Channel.PHONE, CollectionNote.Outcome.NO_ANSWER
        )

    @admin.action(description=_("Record a reminder text sent"), permissions=["change"])
    def record_text_sent(self, request: HttpRequest, queryset: QuerySet[OverdueLoan]) -> None:
        self._record_round(
            request, queryset, CollectionNote.Channel.SMS, CollectionNote.Outcome.REMINDER_SENT
        )
