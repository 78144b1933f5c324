"""The borrower's repayment API: what is due, paying, the payoff of a micro-loan draw, refunds
of held overpayments, and written prepayment applications of bank loans. One APIView per
operation; every request that moves money carries an `Idempotency-Key`
(common/idempotency.py); another borrower's ids are a 404."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsBorrower
from common.api import DecimalStringField, ErrorSerializer
from common.exceptions import InvalidInput
from common.idempotency import idempotency_key_validate, idempotent_api
from common.selectors import business_date_for_money, business_date_get
from common.uploads import BodyLimitMixin, upload_throttles
from repayments import selectors
from repayments.models import PrepaymentApplication, PrepaymentDocument
from repayments.services import payoff_quote, payoff_submit, repayment_submit
from repayments.services.overpayments import refund_request
from repayments.services.prepayments import (
    UploadedDocument,
    prepayment_application_cancel,
    prepayment_application_submit,
    prepayment_eligibility,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per request (e.g. a UUID): retrying with the same key and body "
    "replays the first answer and never moves money twice.",
)
MONEY = DecimalStringField(places=2)


def _borrower(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class BorrowerApi(APIView):
    permission_classes = [IsBorrower]


class AllocationOutputSerializer(serializers.Serializer[Any]):
    installment = serializers.IntegerField(source="installment.number", allow_null=True)
    component = serializers.CharField()
    standing = serializers.CharField()
    amount = serializers.CharField()


class RepaymentOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    loan = serializers.UUIDField(source="loan.public_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.CharField()
    overpaid = serializers.CharField(help_text="Held for the loan beyond what was due.")
    value_date = serializers.DateField(source="business_date")
    card = serializers.CharField(source="card_masked")
    failure_reason = serializers.CharField()
    requested_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    receipt = AllocationOutputSerializer(source="allocations", many=True)


class AmountDueOutputSerializer(serializers.Serializer[Any]):
    business_date = serializers.DateField(source="on")
    due_now = serializers.CharField(source="due_now.total")
    overdue = serializers.CharField(source="due_now.overdue")
    penalty = serializers.CharField(source="due_now.penalty")
    compound = serializers.CharField(source="due_now.compound")
    interest = serializers.CharField(source="due_now.interest")
    principal = serializers.CharField(source="due_now.principal")
    next_due_date = serializers.DateField(allow_null=True)
    next_due_amount = serializers.CharField()
    still_owed = serializers.CharField()
    held_overpayment = serializers.CharField(source="held")
    days_past_due = serializers.IntegerField()


class AmountDueApi(BorrowerApi):
    @extend_schema(
        operation_id="loans_amount_due",
        responses={200: AmountDueOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        standing = selectors.loan_standing(loan=loan, on=business_date_get())
        return Response(AmountDueOutputSerializer(standing).data)


class RepaymentListCreateApi(BorrowerApi):
    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "RepaymentInput"

        amount = DecimalStringField(places=2, help_text="What is due now, or more.")

    @extend_schema(
        operation_id="loans_repayments_list",
        responses={200: RepaymentOutputSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        repayments = selectors.repayment_list_for_loan(loan=loan)
        return Response(RepaymentOutputSerializer(repayments, many=True).data)

    @extend_schema(
        operation_id="loans_repayments_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: RepaymentOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return idempotent_api(
            request,
            operation=f"repayments.create:{public_id}",
            run=lambda: self._pay(request, public_id),
        )

    def _pay(self, request: Request, public_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        repayment = repayment_submit(
            borrower=_borrower(request),
            loan_public_id=public_id,
            amount=serializer.validated_data["amount"],
            idempotency_key=idempotency_key_validate(request.headers.get("Idempotency-Key")),
            business_date=business_date_for_money(loan_id=loan.pk),
            now=timezone.now(),
        )
        repayment = selectors.repayment_for_borrower(
            borrower=_borrower(request), public_id=repayment.public_id
        )
        return Response(RepaymentOutputSerializer(repayment).data, status=status.HTTP_201_CREATED)


class RepaymentDetailApi(BorrowerApi):
    @extend_schema(
        operation_id="repayments_retrieve",
        responses={200: RepaymentOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        repayment = selectors.repayment_for_borrower(
            borrower=_borrower(request), public_id=public_id
        )
        return Response(RepaymentOutputSerializer(repayment).data)


class PayoffLineSerializer(serializers.Serializer[Any]):
    due_date = serializers.DateField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    penalty = serializers.CharField()
    compound = serializers.CharField()
    total = serializers.CharField()


class PayoffQuoteOutputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(source="on")
    principal = serializers.CharField()
    interest = serializers.CharField()
    penalty = serializers.CharField()
    compound = serializers.CharField()
    total = serializers.CharField()
    lines = PayoffLineSerializer(many=True)


def _date_param(request: Request, name: str, *, required: bool) -> dt.date | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if required:
            raise InvalidInput(f"{name}: give a date as YYYY-MM-DD.", code=f"{name}_required")
        return None
    try:
        if len(raw) != 10 or not raw.isascii():
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{name}: must be a date written as YYYY-MM-DD.", code=f"{name}_invalid"
        ) from None


class PayoffQuoteApi(BorrowerApi):
    @extend_schema(
        operation_id="loans_payoff_quote",
        parameters=[
            OpenApiParameter(
                "date",
                dt.date,
                OpenApiParameter.QUERY,
                required=False,
                description="The payoff date: only the current business date is quoted.",
            )
        ],
        responses={
            200: PayoffQuoteOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        on = _date_param(request, "date", required=False)
        quote = payoff_quote(loan=loan, business_date=business_date_get(), on=on)
        return Response(PayoffQuoteOutputSerializer(quote).data)


class PayoffApi(BorrowerApi):
    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "PayoffInput"

        amount = DecimalStringField(
            places=2, required=False, help_text="Today's quote total (checked)."
        )

    @extend_schema(
        operation_id="loans_payoff",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: RepaymentOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return idempotent_api(
            request, operation=f"payoff:{public_id}", run=lambda: self._pay(request, public_id)
        )

    def _pay(self, request: Request, public_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        repayment = payoff_submit(
            borrower=_borrower(request),
            loan_public_id=public_id,
            amount=serializer.validated_data.get("amount"),
            idempotency_key=idempotency_key_validate(request.headers.get("Idempotency-Key")),
            business_date=business_date_for_money(loan_id=loan.pk),
            now=timezone.now(),
        )
        repayment = selectors.repayment_for_borrower(
            borrower=_borrower(request), public_id=repayment.public_id
        )
        return Response(RepaymentOutputSerializer(repayment).data, status=status.HTTP_201_CREATED)


class RefundOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    amount = serializers.CharField()
    status = serializers.CharField()
    card = serializers.CharField(source="card_masked")
    failure_reason = serializers.CharField()
    requested_at = serializers.DateTimeField()


class RefundCreateApi(BorrowerApi):
    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "RefundInput"

        amount = DecimalStringField(places=2)

    @extend_schema(
        operation_id="loans_refunds_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=InputSerializer,
        responses={
            201: RefundOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return idempotent_api(
            request, operation=f"refunds:{public_id}", run=lambda: self._refund(request, public_id)
        )

    def _refund(self, request: Request, public_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        refund = refund_request(
            borrower=_borrower(request),
            loan_public_id=public_id,
            amount=serializer.validated_data["amount"],
            idempotency_key=idempotency_key_validate(request.headers.get("Idempotency-Key")),
            business_date=business_date_for_money(loan_id=loan.pk),
            now=timezone.now(),
        )
        return Response(RefundOutputSerializer(refund).data, status=status.HTTP_201_CREATED)


class ScheduleRowSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    total = serializers.CharField()


class RefusalSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    detail = serializers.CharField(source="message")


class QuoteSerializer(serializers.Serializer[Any]):
    installment_number = serializers.IntegerField()
    installment_due = serializers.CharField()
    principal = serializers.CharField()
    fee = serializers.CharField()
    interest_saved = serializers.CharField()
    total = serializers.CharField()
    new_schedule = ScheduleRowSerializer(source="new_rows", many=True)


class EligibilityOutputSerializer(serializers.Serializer[Any]):
    eligible = serializers.BooleanField()
    refusals = RefusalSerializer(many=True)
    quote = QuoteSerializer(allow_null=True)


class PrepaymentEligibilityApi(BorrowerApi):
    """Whether a prepayment on a date is possible, each rule that fails with its own
    message, and, when it is, its quote: that month's installment, the fee, the new
    schedule and the interest saved. Changes nothing."""

    @extend_schema(
        operation_id="loans_prepayment_eligibility",
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.QUERY, enum=["full", "partial"]),
            OpenApiParameter("date", dt.date, OpenApiParameter.QUERY),
            OpenApiParameter("principal", str, OpenApiParameter.QUERY, required=False),
            OpenApiParameter(
                "option",
                str,
                OpenApiParameter.QUERY,
                required=False,
                enum=["keep_term", "keep_installment"],
            ),
        ],
        responses={200: EligibilityOutputSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        loan = selectors.loan_for_borrower(borrower=_borrower(request), public_id=public_id)
        requested = _date_param(request, "date", required=True)
        assert requested is not None
        principal = None
        if request.query_params.get("principal"):
            field = DecimalStringField(places=2)
            try:
                principal = field.to_internal_value(request.query_params["principal"])
            except serializers.ValidationError as exc:
                raise InvalidInput(f"principal: {exc.detail[0]}", code="principal_invalid") from exc  # type: ignore[index]
        eligibility = prepayment_eligibility(
            loan=loan,
            kind=request.query_params.get("kind", ""),
            requested_date=requested,
            on=business_date_get(),
            principal=principal,
            option=request.query_params.get("option", ""),
        )
        return Response(
            EligibilityOutputSerializer(
                {
                    "eligible": eligibility.eligible,
                    "refusals": eligibility.refusals,
                    "quote": eligibility.quote,
                }
            ).data
        )


class PrepaymentApplicationOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    loan = serializers.UUIDField(source="loan.public_id")
    kind = serializers.CharField()
    status = serializers.CharField()
    requested_date = serializers.DateField()
    installment_number = serializers.IntegerField()
    principal = serializers.CharField()
    option = serializers.CharField()
    fee = serializers.CharField()
    interest_saved = serializers.CharField()
    installment_due = serializers.CharField()
    decision_reason = serializers.CharField()
    failure_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    executed_at = serializers.DateTimeField(allow_null=True)


class PrepaymentApplicationCreateApi(BodyLimitMixin, BorrowerApi):
    parser_classes = [MultiPartParser, FormParser]
    max_body_bytes = "MAX_PREPAYMENT_REQUEST_BYTES"
    throttle_classes = upload_throttles("prepayment_documents")

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "PrepaymentApplicationInput"

        kind = serializers.ChoiceField(choices=PrepaymentApplication.Kind.values)
        requested_date = serializers.DateField(input_formats=["iso-8601"])
        principal = DecimalStringField(places=2, required=False)
        option = serializers.ChoiceField(
            choices=PrepaymentApplication.Option.values, required=False, allow_blank=True
        )
        contract = serializers.FileField()
        bank_card = serializers.FileField()
        statement = serializers.FileField()
        id_card = serializers.FileField()

    @extend_schema(
        operation_id="loans_prepayment_applications_create",
        parameters=[IDEMPOTENCY_HEADER],
        request={"multipart/form-data": InputSerializer},
        responses={
            201: PrepaymentApplicationOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            413: ErrorSerializer,
            422: ErrorSerializer,
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        data: Any = request.data
        body: dict[str, Any] = {
            key: value for key, value in data.items() if key not in PrepaymentDocument.Kind.values
        }
        # Files are fingerprinted by their content, not their (temporary) name.
        for kind in PrepaymentDocument.Kind.values:
            upload = request.FILES.get(kind)
            if upload is not None:
                body[kind] = upload.size
        return idempotent_api(
            request,
            operation=f"prepayment-applications:{public_id}",
            run=lambda: self._submit(request, public_id),
            body=body,
        )

    def _submit(self, request: Request, public_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        documents = {
            kind: UploadedDocument(data[kind].name or kind, data[kind].read())
            for kind in PrepaymentDocument.Kind.values
        }
        application = prepayment_application_submit(
            borrower=_borrower(request),
            loan_public_id=public_id,
            kind=data["kind"],
            requested_date=data["requested_date"],
            principal=data.get("principal"),
            option=data.get("option", ""),
            documents=documents,
            idempotency_key=idempotency_key_validate(request.headers.get("Idempotency-Key")),
            business_date=business_date_get(),
            now=timezone.now(),
        )
        return Response(
            PrepaymentApplicationOutputSerializer(application).data,
            status=status.HTTP_201_CREATED,
        )


class PrepaymentApplicationListApi(BorrowerApi):
    @extend_schema(
        operation_id="prepayment_applications_list",
        responses={200: PrepaymentApplicationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        applications = selectors.prepayment_applications_for_borrower(borrower=_borrower(request))
        return Response(PrepaymentApplicationOutputSerializer(applications, many=True).data)


class PrepaymentApplicationDetailApi(BorrowerApi):
    @extend_schema(
        operation_id="prepayment_applications_retrieve",
        responses={200: PrepaymentApplicationOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        application = selectors.prepayment_application_for_borrower(
            borrower=_borrower(request), public_id=public_id
        )
        return Response(PrepaymentApplicationOutputSerializer(application).data)


class PrepaymentApplicationCancelApi(BorrowerApi):
    @extend_schema(
        operation_id="prepayment_applications_cancel",
        request=None,
        responses={
            200: PrepaymentApplicationOutputSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        application = selectors.prepayment_application_for_borrower(
            borrower=_borrower(request), public_id=public_id
        )
        application = prepayment_application_cancel(
            borrower=_borrower(request), application_id=application.pk, now=timezone.now()
        )
        return Response(PrepaymentApplicationOutputSerializer(application).data)
