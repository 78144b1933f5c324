"""Names the back office shows for the platform's own models and fields that were declared
without a translatable one: a field without `verbose_name` gets Django's words from its
name ("public id"), a model without one gets its class name's ("business date change"),
and simple-history names each history model "historical ...".

At start-up (`CommonConfig.ready`) each such name is replaced by a lazy translation of the
same English words, so the admin shows them in the staff's language. Only the shown name
changes: the declarations, and so the migrations, stay as they are. The words are listed
in `FIELD_LABELS` and `MODEL_NAMES` for the translators; a test keeps the lists complete,
so a new field without a verbose name is caught (better: give it one)."""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.text import camel_case_to_spaces, format_lazy
from django.utils.translation import gettext_lazy, gettext_noop

# The apps whose models this applies to (third-party apps bring their own catalogs).
OWN_APPS = (
    "common",
    "accounts",
    "notifications",
    "ledger",
    "loans",
    "verification",
    "repayments",
    "closing",
    "backoffice",
)

MODEL_NAMES = (
    gettext_noop("business date change"),
    gettext_noop("business date changes"),
)
HISTORY_OF = gettext_noop("history of {}")
# The names of the platform's own permissions (Meta.permissions), shown by the admin's
# permission pickers.
PERMISSION_NAMES = (gettext_noop("Can view face images and verification frames"),)

FIELD_LABELS = (
    gettext_noop("accessed at"),
    gettext_noop("actor"),
    gettext_noop("application"),
    gettext_noop("attempt"),
    gettext_noop("attempts"),
    gettext_noop("best distance"),
    gettext_noop("borrower"),
    gettext_noop("borrower note"),
    gettext_noop("business date"),
    gettext_noop("changed at"),
    gettext_noop("code digest"),
    gettext_noop("completed at"),
    gettext_noop("component"),
    gettext_noop("compound paid"),
    gettext_noop("consistency distance"),
    gettext_noop("content type"),
    gettext_noop("counts"),
    gettext_noop("created at"),
    gettext_noop("credit line"),
    gettext_noop("decided at"),
    gettext_noop("decision note"),
    gettext_noop("detail"),
    gettext_noop("details"),
    gettext_noop("document"),
    gettext_noop("duration ms"),
    gettext_noop("expires at"),
    gettext_noop("failed loans"),
    gettext_noop("failure code"),
    gettext_noop("failure message"),
    gettext_noop("failure reason"),
    gettext_noop("finished at"),
    gettext_noop("first loan id"),
    gettext_noop("frame count"),
    gettext_noop("frame hashes"),
    gettext_noop("frames deleted at"),
    gettext_noop("from date"),
    gettext_noop("from state"),
    gettext_noop("from status"),
    gettext_noop("gateway"),
    gettext_noop("gateway reference"),
    gettext_noop("history change reason"),
    gettext_noop("history date"),
    gettext_noop("history id"),
    gettext_noop("history type"),
    gettext_noop("history user"),
    gettext_noop("id number digest"),
    gettext_noop("idempotency key"),
    gettext_noop("installment"),
    gettext_noop("interest paid"),
    gettext_noop("ip address"),
    gettext_noop("kind"),
    gettext_noop("last loan id"),
    gettext_noop("loan"),
    gettext_noop("loans"),
    gettext_noop("match threshold"),
    gettext_noop("nonce"),
    gettext_noop("notification"),
    gettext_noop("number"),
    gettext_noop("occurred at"),
    gettext_noop("overdue record"),
    gettext_noop("passed"),
    gettext_noop("penalty paid"),
    gettext_noop("principal paid"),
    gettext_noop("product"),
    gettext_noop("public id"),
    gettext_noop("reason"),
    gettext_noop("refund"),
    gettext_noop("repayment"),
    gettext_noop("repeat loan policy"),
    gettext_noop("request hash"),
    gettext_noop("requested at"),
    gettext_noop("response body"),
    gettext_noop("response status"),
    gettext_noop("reviewer"),
    gettext_noop("rows written"),
    gettext_noop("run"),
    gettext_noop("schedule version"),
    gettext_noop("session"),
    gettext_noop("sha256"),
    gettext_noop("size"),
    gettext_noop("source"),
    gettext_noop("staff"),
    gettext_noop("standing"),
    gettext_noop("started at"),
    gettext_noop("state"),
    gettext_noop("status"),
    gettext_noop("step"),
    gettext_noop("stored name"),
    gettext_noop("submitted at"),
    gettext_noop("to date"),
    gettext_noop("to state"),
    gettext_noop("to status"),
    gettext_noop("transaction"),
    gettext_noop("updated at"),
    gettext_noop("uploaded at"),
    gettext_noop("user"),
    gettext_noop("what"),
    gettext_noop("account"),
    gettext_noop("id"),
    gettext_noop("business date"),
    gettext_noop("component"),
    gettext_noop("content type"),
    gettext_noop("counts"),
    gettext_noop("document"),
    gettext_noop("installment"),
    gettext_noop("overdue record"),
    gettext_noop("refund"),
    gettext_noop("repayment"),
    gettext_noop("request hash"),
    gettext_noop("response body"),
    gettext_noop("response status"),
    gettext_noop("sha256"),
    gettext_noop("size"),
    gettext_noop("standing"),
    gettext_noop("started at"),
    gettext_noop("stored name"),
    gettext_noop("uploaded at"),
)


def _own(model: type) -> bool:
    meta = model._meta  # type: ignore[attr-defined]
    return bool(meta.app_label in OWN_APPS)


def admin_labels_translate() -> None:
    """Give every untranslated model and field name of the platform's apps a lazy
    translation (see the module docstring). Safe to run twice."""
    for model in apps.get_models():
        if not _own(model):
            continue
        meta = model._meta
        tracked = getattr(model, "instance_type", None)  # a simple-history model
        if tracked is not None and not isinstance(meta.verbose_name, Promise):
            meta.verbose_name = format_lazy(gettext_lazy(HISTORY_OF), tracked._meta.verbose_name)
            meta.verbose_name_plural = format_lazy(
                gettext_lazy(HISTORY_OF), tracked._meta.verbose_name_plural
            )
        elif not isinstance(meta.verbose_name, Promise):
            meta.verbose_name = gettext_lazy(str(meta.verbose_name))
            meta.verbose_name_plural = gettext_lazy(str(meta.verbose_name_plural))
        for field in [*meta.local_fields, *meta.local_many_to_many]:
            if getattr(field, "_verbose_name", "") is None and not isinstance(
                field.verbose_name, Promise
            ):
                field.verbose_name = gettext_lazy(str(field.verbose_name))


def untranslated_names() -> set[str]:
    """The names `admin_labels_translate` translates that the lists above lack (for the
    test that keeps them complete)."""
    listed = set(FIELD_LABELS) | set(MODEL_NAMES)
    missing = set()
    for model in apps.get_models():
        if not _own(model) or getattr(model, "instance_type", None) is not None:
            continue
        meta = model._meta
        if "verbose_name" not in meta.original_attrs:
            words = camel_case_to_spaces(model.__name__)
            for name in (words, f"{words}s"):
                if name not in listed:
                    missing.add(name)
        for field in [*meta.local_fields, *meta.local_many_to_many]:
            if getattr(field, "_verbose_name", "") is None:
                words = field.name.replace("_", " ")
                if words not in listed:
                    missing.add(words)
    return missing
