"""REST API of the loans app. One APIView per operation, input and output serializers
nested in it, one service or selector call each."""

from loans.apis.borrower import (
    ApplicationCancelApi,
    ApplicationContractApi,
    ApplicationDetailApi,
    ApplicationListCreateApi,
    ApplicationPreviewApi,
    CreditLineListApi,
    LoanDetailApi,
    LoanListApi,
    ProductListApi,
)
from loans.apis.preview import SchedulePreviewApi, schedule_to_json
from loans.apis.profile import ProfileApi

__all__ = [
    "ApplicationCancelApi",
    "ApplicationContractApi",
    "ApplicationDetailApi",
    "ApplicationListCreateApi",
    "ApplicationPreviewApi",
    "CreditLineListApi",
    "LoanDetailApi",
    "LoanListApi",
    "ProductListApi",
    "ProfileApi",
    "SchedulePreviewApi",
    "schedule_to_json",
]
