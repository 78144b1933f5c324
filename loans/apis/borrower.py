"""The borrower's API: products, credit lines, applications and loans. Every view is for
borrowers only and every lookup is scoped to the caller (another borrower's id is a 404)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsBorrower
from common.api import DecimalStringField, ErrorSerializer
from common.exceptions import InvalidInput
from common.idempotency import idempotency_key_validate, idempotent_api
from common.money import round_rate
from common.request_context import client_context
from common.selectors import business_date_for_money, business_date_get
from loans import selectors
from loans.apis.preview import ScheduleOutputSerializer, schedule_to_json
from loans.messages import refusal_reason
from loans.models import CreditLine, Loan, LoanApplication, LoanProduct, Method
from loans.schedule import InterestRate
from loans.services import loan_application_cancel, loan_application_submit
from loans.services.contracts import loan_contract_preview
from loans.services.quotes import loan_quote

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per application (e.g. a UUID). Retrying with the same key "
    "returns the first application instead of creating another.",
)


class BorrowerApi(APIView):
    permission_classes = [IsBorrower]


def _borrower(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsBorrower let only borrowers through
    return user


def _product(code: str) -> LoanProduct:
    product = LoanProduct.objects.filter(code=code).first()
    if product is None:
        raise InvalidInput(f"There is no product {code!r}.", code="product_unknown")
    return product


class ProductOutputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField()
    annualized_rate_irr_max = serializers.CharField(
        allow_null=True,
        help_text="The highest annualized rate (IRR) any draw of the product can have: "
        'shown as "up to" before a draw exists.',
    )
    term_min = serializers.IntegerField()
    term_max = serializers.IntegerField()
    allowed_terms = serializers.ListField(child=serializers.IntegerField())
    default_method = serializers.CharField()
    methods = serializers.ListField(child=serializers.CharField(), source="offered_methods")
    min_draw = serializers.CharField()
    draw_step = serializers.CharField()
    max_draw = serializers.CharField()
    annual_rate = serializers.CharField(allow_null=True)


class ProductListApi(BorrowerApi):
    @extend_schema(
        operation_id="products_list", responses={200: ProductOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        products = selectors.products_offered()
        return Response(ProductOutputSerializer(products, many=True).data)


class CreditLineListApi(BorrowerApi):
    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "CreditLine"

        id = serializers.UUIDField(source="line.public_id")
        product = serializers.CharField(source="line.product.code")
        status = serializers.CharField(source="line.status")
        limit = serializers.CharField(source="line.limit")
        available = serializers.CharField()
        daily_rate = serializers.CharField(source="line.daily_rate")
        annualized_rate_simple = serializers.SerializerMethodField()
        repayment_day = serializers.IntegerField(source="line.repayment_day", allow_null=True)
        open_loans = serializers.IntegerField()

        def get_annualized_rate_simple(self, view: Any) -> str:
            return str(round_rate(InterestRate.daily(view.line.daily_rate).simple_annual, 6))

    @extend_schema(operation_id="credit_lines_list", responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        lines = selectors.credit_lines_for_borrower(borrower=_borrower(request))
        return Response(self.OutputSerializer(lines, many=True).data)


class ApplicationOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    product = serializers.CharField(source="product.code")
    status = serializers.CharField()
    amount = serializers.CharField()
    term = serializers.IntegerField()
    method = serializers.CharField()
    daily_rate = serializers.CharField(allow_null=True)
    annual_rate = serializers.CharField(allow_null=True)
    annualized_rate_simple = serializers.CharField()
    annualized_rate_irr = serializers.CharField()
    face_check_required = serializers.BooleanField()
    refusal_code = serializers.CharField()
    refusal_reason = serializers.SerializerMethodField()
    terms_accepted_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    loan = serializers.SerializerMethodField()

    def get_refusal_reason(self, application: LoanApplication) -> str:
        """The borrower's sentence for the refusal, in the request's language."""
        return refusal_reason(application.refusal_code) if application.refusal_code else ""

    def get_loan(self, application: LoanApplication) -> str | None:
        loan = getattr(application, "loan", None)
        return str(loan.public_id) if loan else None


class ApplicationListCreateApi(BorrowerApi):
    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "ApplicationInput"

        product = serializers.SlugField(help_text="The product code, e.g. weili.")
        amount = DecimalStringField(places=2)
        term = serializers.IntegerField(min_value=1, max_value=360)
        method = serializers.ChoiceField(choices=Method.values)

    class CreateInputSerializer(InputSerializer):
        class Meta:
            ref_name = "ApplicationCreateInput"

        accept_contract = serializers.BooleanField(
            help_text="True: the loan contract (POST /applications/contract/) was shown to "
            "the borrower and accepted. Submitting without it is refused "
            "(`contract_not_accepted`)."
        )
        contract_digest = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=64,
            help_text="The `digest` of the contract shown. If the contract has changed "
            "since (e.g. the business date moved on), the submission is refused "
            "(`contract_changed`) rather than accepting a text the borrower did not see.",
        )

    @extend_schema(
        operation_id="applications_list", responses={200: ApplicationOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        applications = selectors.application_list_for_borrower(borrower=_borrower(request))
        return Response(ApplicationOutputSerializer(applications, many=True).data)

    @extend_schema(
        operation_id="applications_create",
        parameters=[IDEMPOTENCY_HEADER],
        request=CreateInputSerializer,
        responses={
            200: ApplicationOutputSerializer,
            201: ApplicationOutputSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            422: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        return idempotent_api(
            request, operation="applications.create", run=lambda: self._submit(request)
        )

    def _submit(self, request: Request) -> Response:
        serializer = self.CreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = _product(data["product"])
        business_date = business_date_for_money()
        result = loan_application_submit(
            borrower=_borrower(request),
            product=product,
            amount=data["amount"],
            term=data["term"],
            method=data["method"],
            idempotency_key=idempotency_key_validate(request.headers.get("Idempotency-Key")),
            client=client_context(request),
            business_date=business_date,
            now=timezone.now(),
            terms_accepted=data["accept_contract"],
            contract_digest=data.get("contract_digest", ""),
        )
        application = selectors.application_get_for_borrower(
            borrower=_borrower(request),
            public_id=result.application.public_id,
        )
        return Response(
            ApplicationOutputSerializer(application).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ApplicationPreviewApi(BorrowerApi):
    """The exact schedule a draw would get today at the borrower's own price, with the
    product rules checked (the apply page's live preview). Changes nothing."""

    @extend_schema(
        operation_id="applications_preview",
        request=ApplicationListCreateApi.InputSerializer,
        responses={200: ScheduleOutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationListCreateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = _product(data["product"])
        borrower = _borrower(request)
        schedule = loan_quote(
            borrower=borrower,
            product=product,
            line=CreditLine.objects.filter(borrower=borrower, product=product).first(),
            amount=data["amount"],
            term=data["term"],
            method=data["method"],
            business_date=business_date_get(),
        )
        return Response(schedule_to_json(schedule))


class ApplicationContractApi(BorrowerApi):
    """The loan contract the borrower would accept for this draw today, in the request's
    language: its text (terms, the schedule of a draw paid out today, the annualized
    rates), version and digest. Show it, and send `accept_contract` (and the digest) with
    the submission. Changes nothing."""

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "ContractPreview"

        version = serializers.CharField()
        language = serializers.CharField()
        text = serializers.CharField()
        digest = serializers.CharField()
        schedule = ScheduleOutputSerializer()

    @extend_schema(
        operation_id="applications_contract",
        request=ApplicationListCreateApi.InputSerializer,
        responses={200: OutputSerializer, 400: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationListCreateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        preview = loan_contract_preview(
            borrower=_borrower(request),
            product=_product(data["product"]),
            amount=data["amount"],
            term=data["term"],
            method=data["method"],
            business_date=business_date_get(),
        )
        contract = preview.contract
        return Response(
            {
                "version": contract.version,
                "language": contract.language,
                "text": contract.text,
                "digest": contract.digest,
                "schedule": schedule_to_json(preview.schedule),
            }
        )


class ApplicationDetailApi(BorrowerApi):
    @extend_schema(
        operation_id="applications_retrieve",
        responses={200: ApplicationOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        application = selectors.application_get_for_borrower(
            borrower=_borrower(request),
            public_id=public_id,
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationCancelApi(BorrowerApi):
    @extend_schema(
        operation_id="applications_cancel",
        request=None,
        responses={200: ApplicationOutputSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        application = selectors.application_get_for_borrower(
            borrower=_borrower(request),
            public_id=public_id,
        )
        loan_application_cancel(
            application_id=application.pk,
            borrower=_borrower(request),
            now=timezone.now(),
        )
        application.refresh_from_db()
        return Response(ApplicationOutputSerializer(application).data)


class InstallmentOutputSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    days = serializers.IntegerField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    total = serializers.CharField()
    principal_paid = serializers.CharField()
    interest_paid = serializers.CharField()
    state = serializers.SerializerMethodField()

    def get_state(self, installment: Any) -> str:
        return selectors.installment_state(
            installment,
            business_date=self.context["business_date"],
            grace_days=self.context["grace_days"],
        )


class LoanOutputSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    product = serializers.CharField(source="product.code")
    status = serializers.CharField()
    principal = serializers.CharField()
    principal_outstanding = serializers.CharField()
    term = serializers.IntegerField()
    method = serializers.CharField()
    daily_rate = serializers.CharField(allow_null=True)
    annual_rate = serializers.CharField(allow_null=True)
    annualized_rate_simple = serializers.CharField()
    annualized_rate_irr = serializers.CharField()
    start_date = serializers.DateField()
    first_due_date = serializers.DateField()
    maturity_date = serializers.DateField()
    payout_status = serializers.CharField(source="payout.status", default=None)


class LoanListApi(BorrowerApi):
    @extend_schema(operation_id="loans_list", responses={200: LoanOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        loans = selectors.loan_list_for_borrower(borrower=_borrower(request))
        return Response(LoanOutputSerializer(loans, many=True).data)


class LoanDetailApi(BorrowerApi):
    class OutputSerializer(LoanOutputSerializer):
        class Meta:
            ref_name = "LoanDetail"

        installments = serializers.SerializerMethodField()

        def get_installments(self, loan: Loan) -> Any:
            return InstallmentOutputSerializer(
                loan.schedule,  # type: ignore[attr-defined]
                many=True,
                context={
                    "business_date": self.context["business_date"],
                    "grace_days": loan.grace_days,
                },
            ).data

    @extend_schema(
        operation_id="loans_retrieve", responses={200: OutputSerializer, 404: ErrorSerializer}
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        loan = selectors.loan_get_for_borrower(borrower=_borrower(request), public_id=public_id)
        context = {"business_date": business_date_get()}
        return Response(self.OutputSerializer(loan, context=context).data)
