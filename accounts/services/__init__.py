"""Writes of the accounts app: one function per use case (see the modules)."""

from accounts.services.consents import biometric_consent_grant, biometric_consent_withdraw
from accounts.services.profiles import borrower_bank_card_change, borrower_profile_save
from accounts.services.users import (
    auth_token_issue,
    auth_token_revoke,
    user_login_record,
    user_password_change,
    user_signup,
)

__all__ = [
    "auth_token_issue",
    "auth_token_revoke",
    "biometric_consent_grant",
    "biometric_consent_withdraw",
    "borrower_bank_card_change",
    "borrower_profile_save",
    "user_login_record",
    "user_password_change",
    "user_signup",
]
