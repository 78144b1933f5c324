"""The chart of accounts. Codes are referenced from code through `AccountCode`; the rows
are created by a data migration and are never renamed by code."""

from __future__ import annotations

from enum import StrEnum


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class AccountCode(StrEnum):
    SETTLEMENT_BANK = "1001"
    LOAN_PRINCIPAL = "1101"
    INTEREST_RECEIVABLE = "1102"
    PENALTY_RECEIVABLE = "1103"
    COMPOUND_INTEREST_RECEIVABLE = "1104"
    FEE_RECEIVABLE = "1105"
    BORROWER_OVERPAYMENT = "2101"
    PAYOUTS_IN_TRANSIT = "2102"
    LENDING_CAPITAL = "3001"
    INTEREST_INCOME = "4001"
    PENALTY_INCOME = "4002"
    COMPOUND_INTEREST_INCOME = "4003"
    FEE_INCOME = "4004"
    CREDIT_LOSS = "5001"


CHART_OF_ACCOUNTS: tuple[tuple[AccountCode, str, str, AccountKind], ...] = (
    (AccountCode.SETTLEMENT_BANK, "Settlement bank account", "结算银行存款", AccountKind.ASSET),
    (AccountCode.LOAN_PRINCIPAL, "Loans receivable: principal", "贷款本金", AccountKind.ASSET),
    (AccountCode.INTEREST_RECEIVABLE, "Interest receivable", "应收利息", AccountKind.ASSET),
    (AccountCode.PENALTY_RECEIVABLE, "Penalty interest receivable", "应收罚息", AccountKind.ASSET),
    (
        AccountCode.COMPOUND_INTEREST_RECEIVABLE,
        "Compound interest receivable",
        "应收复利",
        AccountKind.ASSET,
    ),
    (AccountCode.FEE_RECEIVABLE, "Fees receivable", "应收费用", AccountKind.ASSET),
    (
        AccountCode.BORROWER_OVERPAYMENT,
        "Borrower overpayments",
        "借款人溢缴款",
        AccountKind.LIABILITY,
    ),
    (
        AccountCode.PAYOUTS_IN_TRANSIT,
        "Payouts in transit",
        "在途放款",
        AccountKind.LIABILITY,
    ),
    (AccountCode.LENDING_CAPITAL, "Lending capital", "放贷资本金", AccountKind.EQUITY),
    (AccountCode.INTEREST_INCOME, "Interest income", "利息收入", AccountKind.INCOME),
    (AccountCode.PENALTY_INCOME, "Penalty interest income", "罚息收入", AccountKind.INCOME),
    (
        AccountCode.COMPOUND_INTEREST_INCOME,
        "Compound interest income",
        "复利收入",
        AccountKind.INCOME,
    ),
    (AccountCode.FEE_INCOME, "Fee income", "手续费收入", AccountKind.INCOME),
    (AccountCode.CREDIT_LOSS, "Credit losses", "信用减值损失", AccountKind.EXPENSE),
)

# A loan's receivable accounts: an event posting's lines on them always carry the loan.
LOAN_RECEIVABLE_ACCOUNTS: frozenset[AccountCode] = frozenset(
    {
        AccountCode.LOAN_PRINCIPAL,
        AccountCode.INTEREST_RECEIVABLE,
        AccountCode.PENALTY_RECEIVABLE,
        AccountCode.COMPOUND_INTEREST_RECEIVABLE,
        AccountCode.FEE_RECEIVABLE,
    }
)
# Journal kinds whose lines may be totals over many loans (no loan on the line): the
# nightly accruals, posted once per chunk of loans (docs/adr/0001-ledger-granularity.md).
AGGREGATE_KINDS: frozenset[str] = frozenset(
    {"interest_accrual", "penalty_accrual", "compound_accrual"}
)
