"""People who use the platform: borrowers (sign in with a phone number or an e-mail
address) and staff (`is_staff`), a borrower's real-name profile, their security events and
their consent to biometric processing.

Invariants:
- a phone number and an e-mail address each belong to at most one account (unique,
  case-insensitive for e-mail); empty values are not shared identities;
- a user has at most one profile, and a profile row is always complete: name, ID number,
  birth date, bank card and bank name are all present (check constraints);
- an ID number belongs to at most one profile: its keyed digest is unique; the number and
  the card number are stored encrypted, and only their masks are kept in plain text and in
  the profile's history;
- security events are insert-only (a database trigger refuses UPDATE and DELETE);
- a biometric consent is never deleted and only ever changes once, when it is withdrawn
  (a trigger); a user has at most one consent that is not withdrawn; a withdrawal is not
  before the grant;
- an agreement acceptance (user agreement, privacy policy, credit-report authorisation)
  is insert-only (a trigger): it is the evidence of which version the borrower accepted;
- a one-time code is stored only as a keyed digest; it expires after its lifetime, dies
  after too many wrong tries, and is used at most once (checks: attempts never negative,
  expiry after creation, consumption not before creation).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField
from simple_history.models import HistoricalRecords


class MembershipHistory(HistoricalRecords):
    """simple-history's records with the user's groups (their roles) in each one, also
    when a membership is changed from the group's side (`group.user_set.add(user)`), where
    the signal's instance is the group: each user named then gets their own record."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):  # type: ignore[no-untyped-def]
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action == "pre_clear":
            instance._members_before_clear = list(instance.user_set.values_list("pk", flat=True))
            return None
        if action == "post_clear":
            pk_set = set(getattr(instance, "_members_before_clear", []))
        elif action not in ("post_add", "post_remove"):
            return None
        for user in User.objects.filter(pk__in=pk_set or ()).order_by("pk"):
            super().m2m_changed(user, action, attr, pk_set, False, **kwargs)
        return None


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    # The language the borrower last used the pages in: notices, e-mails and text
    # messages are written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default=""
    )

    # Who changed an account and its roles (groups), and when; never the password hash,
    # and not each sign-in (accounts.apps keeps last_login out of the history).
    history = MembershipHistory(m2m_fields=["groups"], excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="user_phone_unique"
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            ),
        ]

    @property
    def is_borrower(self) -> bool:
        return not self.is_staff


class BorrowerProfile(models.Model):
    """A borrower's real-name details. Created complete by `borrower_profile_save`; the
    name and ID number never change afterwards, the bank card can be replaced."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile"
    )
    full_name = models.CharField(_("full name"), max_length=30)
    id_number = EncryptedCharField(_("ID number"), max_length=18)
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    birth_date = models.DateField(_("birth date"))
    bank_card_number = EncryptedCharField(_("bank card number"), max_length=19)
    bank_card_masked = models.CharField(_("bank card"), max_length=24)
    bank_name = models.CharField(_("bank"), max_length=64)
    completed_at = models.DateTimeField(_("completed at"))
    updated_at = models.DateTimeField(_("updated at"))
    # The plaintext (encrypted) columns and the digest never go into the history.
    history = HistoricalRecords(
        excluded_fields=["id_number", "id_number_digest", "bank_card_number"]
    )

    class Meta:
        verbose_name = _("borrower profile")
        verbose_name_plural = _("borrower profiles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(full_name="") & ~Q(bank_name=""),
                name="profile_names_present",
            ),
            models.CheckConstraint(
                condition=Q(Exact(Length("id_number_digest"), 64))
                & Q(Exact(Length("id_number_masked"), 18))
                & ~Q(bank_card_masked=""),
                name="profile_identity_present",
            ),
            models.CheckConstraint(
                condition=Q(updated_at__gte=F("completed_at")), name="profile_updated_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} {self.id_number_masked}"


class SecurityEvent(models.Model):
    """Something the risk engine must know happened to an account. Insert-only."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PHONE_CHANGED = "phone_changed", _("Mobile number changed")
        BANK_CARD_CHANGED = "bank_card_changed", _("Bank card changed")
        FACE_ENROLLED = "face_enrolled", _("Reference face enrolled")
        FACE_REPLACED = "face_replaced", _("Reference face replaced")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="security_events"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    device_id = models.CharField(_("device id"), max_length=64, blank=True)
    detail = models.CharField(
        _("detail"), max_length=255, blank=True, help_text=_("Masked: never a full number.")
    )

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "login",
                        "password_changed",
                        "phone_changed",
                        "bank_card_changed",
                        "face_enrolled",
                        "face_replaced",
                    ]
                ),
                name="security_event_kind_known",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "kind", "occurred_at"], name="security_event_lookup")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class BiometricConsent(models.Model):
    """A borrower's separate, explicit consent to the processing of their face, to the
    text `accounts.consent.BIOMETRIC_CONSENT_TEXT` of version `text_version`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="biometric_consents"
    )
    text_version = models.CharField(_("text version"), max_length=32)
    granted_at = models.DateTimeField(_("granted at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    device_id = models.CharField(_("device id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("biometric consent")
        verbose_name_plural = _("biometric consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_active_biometric_consent",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("granted_at")),
                name="consent_withdrawn_after_granted",
            ),
            models.CheckConstraint(condition=~Q(text_version=""), name="consent_text_version"),
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "active"
        return f"{self.user} {self.text_version} ({state})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class AgreementAcceptance(models.Model):
    """A borrower's acceptance of one version of one of the platform's documents
    (`accounts.agreements`), with where it was given. Insert-only."""

    class Document(models.TextChoices):
        USER_AGREEMENT = "user_agreement", _("User agreement")
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        CREDIT_REPORT = "credit_report", _("Credit-report authorisation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agreements"
    )
    document = models.CharField(_("document"), max_length=32, choices=Document.choices)
    version = models.CharField(_("version"), max_length=32)
    language = models.CharField(_("language"), max_length=8)
    accepted_at = models.DateTimeField(_("accepted at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    device_id = models.CharField(_("device id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"], name="agreement_accepted_once"
            ),
            models.CheckConstraint(
                condition=Q(document__in=["user_agreement", "privacy_policy", "credit_report"])
                & ~Q(version=""),
                name="agreement_document_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.document} {self.version}"


class PhoneCode(models.Model):
    """A one-time code sent by text message to prove the borrower holds a mobile number
    (sign-up, password reset). Only its keyed digest is stored."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        PASSWORD_RESET = "password_reset", _("Password reset")

    phone = models.CharField(_("mobile number"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    code_digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    consumed_at = models.DateTimeField(_("used at"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="phone_code_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(consumed_at__isnull=True) | Q(consumed_at__gte=F("created_at")),
                name="phone_code_used_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(Exact(Length("code_digest"), 64)), name="phone_code_digest"
            ),
        ]
        indexes = [
            models.Index(fields=["phone", "purpose", "created_at"], name="phone_code_lookup"),
            models.Index(fields=["ip_address", "created_at"], name="phone_code_by_ip"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.phone[:3]}****{self.phone[-4:]} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
        )
