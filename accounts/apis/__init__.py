"""REST API of the accounts app: one APIView per path, nested input and output
serializers, one service or selector call per operation. A borrower only ever reaches
their own data: no URL carries an id, everything is scoped to the caller."""

from accounts.apis.auth import (
    LoginApi,
    LogoutApi,
    PasswordChangeApi,
    PasswordResetApi,
    PhoneCodeApi,
    SignupApi,
)
from accounts.apis.me import (
    REFUSED_RESPONSES,
    BorrowerSelfApi,
    ConsentOutputSerializer,
    ProfileOutputSerializer,
    profile_to_json,
)

__all__ = [
    "REFUSED_RESPONSES",
    "BorrowerSelfApi",
    "ConsentOutputSerializer",
    "LoginApi",
    "LogoutApi",
    "PasswordChangeApi",
    "PasswordResetApi",
    "PhoneCodeApi",
    "ProfileOutputSerializer",
    "SignupApi",
    "profile_to_json",
]
