"""The back office's roles: Django groups with the least privilege each job needs
(created and kept in step by migrations that call `roles_sync`; a test compares the
groups in the database with what is written here, so a change here needs its migration).

- reviewer: written prepayment applications: see them and their documents, approve or
  reject (maker-checker is the services' rule, not the role's);
- risk officer: the risk rules and the scoring policy, manual face reviews, the face images
  (the dedicated permission);
- collections: overdue loans and their overdue and credit-report records; contact notes
  and promises to pay recorded on the collections queue;
- finance: the ledger and its trial balance, the reconciliation, payouts, repayments and
  refunds, and exports of the lists;
- auditor: view-only on every model, except credentials (API tokens, sessions, one-time
  codes); never the dedicated permissions for face images and document scans.

A permission is named "app_label.codename"; the auditor's are every model's default view
permission, whatever models exist when the sync runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop

from common.exports import EXPORT_PERMISSION

FACE_DATA_PERMISSION = "verification.view_face_data"
DOCUMENTS_PERMISSION = "repayments.view_prepayment_documents"

# The dedicated permissions no view-only role ever gets.
SENSITIVE_PERMISSIONS = frozenset({FACE_DATA_PERMISSION, DOCUMENTS_PERMISSION})

# Models whose rows are credentials: nobody's role shows them.
CREDENTIAL_MODELS = frozenset(
    {"authtoken.token", "authtoken.tokenproxy", "sessions.session", "accounts.phonecode"}
)


@dataclass(frozen=True)
class Role:
    name: str  # the group's name (English; the admin shows it translated)
    permissions: frozenset[str]
    all_views: bool = False  # also every model's view permission (the auditor)


def _views(*labels: str) -> set[str]:
    return {f"{label.split('.')[0]}.view_{label.split('.')[1]}" for label in labels}


REVIEWER = Role(
    gettext_noop("Reviewer"),
    frozenset(
        _views(
            "repayments.prepaymentapplication",
            "repayments.prepaymentdocument",
            "loans.loan",
            "loans.installment",
            "repayments.repayment",
        )
        | {"repayments.review_prepaymentapplication", DOCUMENTS_PERMISSION}
    ),
)
RISK_OFFICER = Role(
    gettext_noop("Risk officer"),
    frozenset(
        _views(
            "loans.riskrule",
            "loans.risksettings",
            "loans.creditscoringpolicy",
            "loans.loanapplication",
            "verification.manualreview",
            "verification.verificationsession",
            "verification.verificationattempt",
            "verification.faceenrolment",
        )
        | {
            "loans.change_riskrule",
            "loans.change_risksettings",
            "loans.change_creditscoringpolicy",
            "verification.change_manualreview",
            FACE_DATA_PERMISSION,
        }
    ),
)
COLLECTIONS = Role(
    gettext_noop("Collections"),
    frozenset(
        _views(
            "repayments.overduerecord",
            "repayments.creditreportrecord",
            "loans.loan",
            "loans.installment",
            "repayments.repayment",
            "backoffice.overdueloan",
            "backoffice.collectionnote",
            "backoffice.promisetopay",
        )
        # The collections queue: record contacts and promises to pay (insert-only rows,
        # added on the overdue loan's page and by its actions).
        | {
            "backoffice.change_overdueloan",
            "backoffice.add_collectionnote",
            "backoffice.add_promisetopay",
        }
    ),
)
FINANCE = Role(
    gettext_noop("Finance"),
    frozenset(
        _views(
            "ledger.account",
            "ledger.journaltransaction",
            "ledger.journalline",
            "loans.loan",
            "loans.installment",
            "loans.payout",
            "repayments.repayment",
            "repayments.refund",
            "repayments.overduerecord",
            "repayments.creditreportrecord",
            "common.exportjob",
            "common.businesscalendar",
        )
        | {EXPORT_PERMISSION}
    ),
)
AUDITOR = Role(gettext_noop("Auditor"), frozenset(), all_views=True)

ROLES: tuple[Role, ...] = (REVIEWER, RISK_OFFICER, COLLECTIONS, FINANCE, AUDITOR)


def role_permissions(role: Role, available: Iterable[tuple[str, str, str]]) -> set[str]:
    """The role's permissions among `available` ((app_label, model, codename) triples)."""
    chosen = set(role.permissions)
    if role.all_views:
        chosen |= {
            f"{app}.{codename}"
            for app, model, codename in available
            if codename == f"view_{model}" and f"{app}.{model}" not in CREDENTIAL_MODELS
        }
    return chosen - SENSITIVE_PERMISSIONS if role.all_views else chosen


def roles_sync(apps: Any = None) -> None:
    """Create the role groups (and any permission not created yet) and give each exactly
    its permissions. `apps` is a migration's app registry, or None for the live one."""
    from django.apps import apps as live_apps
    from django.contrib.auth.management import create_permissions

    registry = apps or live_apps
    for app_config in registry.get_app_configs():
        # Before the first post_migrate, the permissions of new models do not exist yet.
        loaded = getattr(app_config, "models_module", None)
        app_config.models_module = loaded or True
        create_permissions(app_config, apps=registry, verbosity=0)
        app_config.models_module = loaded
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    permissions = {
        (p.content_type.app_label, p.content_type.model, p.codename): p
        for p in permission_model.objects.select_related("content_type")
    }
    by_label = {f"{app}.{codename}": p for (app, _m, codename), p in permissions.items()}
    for role in ROLES:
        wanted = role_permissions(role, permissions)
        missing = sorted(wanted - by_label.keys())
        if missing:
            raise LookupError(f"Role {role.name}: no such permissions: {missing}")
        group, _created = group_model.objects.get_or_create(name=role.name)
        group.permissions.set([by_label[label] for label in sorted(wanted)])
