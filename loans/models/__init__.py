"""Loan products, credit lines, applications, risk decisions, loans (draws) and their
installments.

A loan copies its contract terms (rates, rounding, grace, penalty) from the product when it
is disbursed, so staff editing a product never changes a signed contract, and the nightly
close of business can compute interest, due and overdue states over whole tables with
set-based SQL, without joins to products or per-loan Python.

Invariants (database constraints):
- product: rates positive and ordered (min ≤ default ≤ max), exactly the rate fields of its
  kind, term range within 1..360, draw amounts positive and ordered, grace ≥ 0, penalty
  multiplier ≥ 1, repayment days 1..28;
- credit line: one per borrower and product; limit positive; its daily rate positive;
- application: amount > 0; one rate; one open application per borrower and product; an
  idempotency key used once per borrower; no approval or disbursement while a required face
  check has not passed (the face gate);
- loan: principal > 0; 0 ≤ principal_outstanding ≤ principal; exactly one of daily and
  annual rate; first due date after the start date; one loan per application;
- schedule version: numbered from 1 per loan; every installment belongs to one; one row
  per (version, number);
- installment: one live row per (loan, number); scheduled amounts ≥ 0; paid principal and
  interest between 0 and what is scheduled; accrual spans start no earlier than their
  period (interest) or due date (penalty, compound), with non-negative amounts accrued
  before them; due date after the period start; a paid row has its payment date;
- contract terms (product, application, loan): the repayment order is an ordering of the
  six components (PostgreSQL check);
- payout: one per loan, positive, unique idempotency key sent to the gateway;
- loan contract: one per application, its version, text and digest present; insert-only
  (a trigger).
Money movements themselves are journal transactions in the ledger (insert-only).
"""

from loans.models.applications import (
    ALLOWED_TRANSITIONS,
    OPEN_STATUSES,
    ApplicationEvent,
    ApplicationStatus,
    LoanApplication,
    Payout,
)
from loans.models.contracts import LoanContract
from loans.models.credit import CreditLine, CreditScoringPolicy
from loans.models.loans import Installment, Loan, ScheduleVersion
from loans.models.products import LoanProduct, Method, ProductKind, default_micro_terms
from loans.models.risk import (
    RepeatLoanPolicy,
    RiskDecision,
    RiskRule,
    RiskRuleCode,
    RiskSettings,
)
from loans.models.terms import (
    CONTRACT_TERM_FIELDS,
    AllocationTarget,
    ContractTerms,
    PrepaymentFeeKind,
    contract_terms_copy,
    default_allocation_order,
    repayment_order_validate,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CONTRACT_TERM_FIELDS",
    "OPEN_STATUSES",
    "AllocationTarget",
    "ApplicationEvent",
    "ApplicationStatus",
    "ContractTerms",
    "CreditLine",
    "CreditScoringPolicy",
    "Installment",
    "Loan",
    "LoanApplication",
    "LoanContract",
    "LoanProduct",
    "Method",
    "Payout",
    "PrepaymentFeeKind",
    "ProductKind",
    "RepeatLoanPolicy",
    "RiskDecision",
    "RiskRule",
    "RiskRuleCode",
    "RiskSettings",
    "ScheduleVersion",
    "contract_terms_copy",
    "default_allocation_order",
    "default_micro_terms",
    "repayment_order_validate",
]
