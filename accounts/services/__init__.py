"""Writes of the accounts app: one function per use case (see the modules)."""

from accounts.services.agreements import agreement_accept, agreements_record
from accounts.services.consents import biometric_consent_grant, biometric_consent_withdraw
from accounts.services.phone_codes import PhoneCodeSent, TooManyCodes, phone_code_send
from accounts.services.profiles import borrower_bank_card_change, borrower_profile_save
from accounts.services.users import (
    auth_token_issue,
    auth_token_revoke,
    user_language_set,
    user_login_record,
    user_password_change,
    user_password_reset,
    user_password_reset_by_phone,
    user_signup,
    user_signup_check,
)

__all__ = [
    "PhoneCodeSent",
    "TooManyCodes",
    "agreement_accept",
    "agreements_record",
    "auth_token_issue",
    "auth_token_revoke",
    "biometric_consent_grant",
    "biometric_consent_withdraw",
    "borrower_bank_card_change",
    "borrower_profile_save",
    "phone_code_send",
    "user_language_set",
    "user_login_record",
    "user_password_change",
    "user_password_reset",
    "user_password_reset_by_phone",
    "user_signup",
    "user_signup_check",
]
