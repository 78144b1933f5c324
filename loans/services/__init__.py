"""Writes of the loans app: one function per use case (see the modules)."""

from loans.services.applications import (
    SubmitResult,
    loan_application_approve,
    loan_application_cancel,
    loan_application_expire_stale,
    loan_application_refuse,
    loan_application_submit,
)
from loans.services.credit import borrower_profile_submit, credit_line_grant
from loans.services.disbursement import (
    DisbursementResult,
    installment_rows,
    loan_disburse,
    payout_send,
)
from loans.services.face_gate import (
    FaceCheckOutcome,
    face_gate_lock,
    face_gate_record,
    face_gate_waiting,
)
from loans.services.products import ProductInvalid, loan_product_check, loan_product_save
from loans.services.schedules import schedule_version_create
from loans.services.states import FaceCheckPending

__all__ = [
    "DisbursementResult",
    "FaceCheckOutcome",
    "FaceCheckPending",
    "ProductInvalid",
    "SubmitResult",
    "borrower_profile_submit",
    "credit_line_grant",
    "face_gate_lock",
    "face_gate_record",
    "face_gate_waiting",
    "installment_rows",
    "loan_application_approve",
    "loan_application_cancel",
    "loan_application_expire_stale",
    "loan_application_refuse",
    "loan_application_submit",
    "loan_disburse",
    "loan_product_check",
    "loan_product_save",
    "payout_send",
    "schedule_version_create",
]
