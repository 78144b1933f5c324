"""Acceptances of the platform's documents (`accounts.agreements`): the user agreement and
privacy policy at sign-up, the credit-report authorisation with the real-name profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.agreements import agreement_current, agreement_language
from accounts.exceptions import FieldError
from accounts.models import AgreementAcceptance, User
from accounts.services.events import ensure_borrower
from common.request_context import ClientContext


def agreements_record(
    *,
    user: User,
    documents: Iterable[str],
    language: str,
    context: ClientContext | None,
    now: dt.datetime,
) -> list[AgreementAcceptance]:
    """Record that `user` accepted the current version of each document, inside the
    caller's transaction (sign-up, profile completion). A version already accepted is not
    recorded twice."""
    rows = []
    for document in documents:
        text = agreement_current(document)
        row, _created = AgreementAcceptance.objects.get_or_create(
            user=user,
            document=document,
            version=text.version,
            defaults={
                "language": agreement_language(language),
                "accepted_at": now,
                "ip_address": (context.ip_address if context else "") or None,
                "device_id": (context.device_id if context else "")[:64],
            },
        )
        rows.append(row)
    return rows


def agreement_version_check(document: str, version: str, *, field: str) -> None:
    """Refuse an acceptance of a version that is not the one shown now."""
    if version != agreement_current(document).version:
        raise FieldError(
            _("The text has changed since you opened the page. Read it again and agree to it."),
            "agreement_outdated",
            field=field,
        )


def agreement_accept(
    *,
    user: User,
    document: str,
    version: str,
    language: str,
    context: ClientContext,
    now: dt.datetime,
) -> AgreementAcceptance:
    """The borrower accepts the current version of `document` (e.g. a new version of the
    user agreement)."""
    ensure_borrower(user)
    agreement_version_check(document, version, field="version")
    with transaction.atomic(durable=True):
        (row,) = agreements_record(
            user=user, documents=[document], language=language, context=context, now=now
        )
    return row
