"""REST API of the loans app. One APIView per operation, input and output serializers
nested in it, one service or selector call each."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from common.api import DecimalStringField, ErrorSerializer
from common.money import FEN, RATE_DECIMAL_PLACES
from common.selectors import business_date_get
from loans.pricing import MAX_PRINCIPAL, MAX_TERM, schedule_quote
from loans.schedule import InterestRate, RepaymentMethod, Schedule

_DATE_ERRORS: dict[str, Any] = {"invalid": "must be a date written as YYYY-MM-DD."}
_RATE_WIRE = Decimal("0.000001")


@extend_schema_field({"type": "string", "format": "decimal", "example": "1000.00"})
class MoneyStringField(serializers.Field[Decimal, Decimal, str, Any]):
    """Money on the wire: plain digits with two places ("10000.00"), never an exponent
    ("1E+4"), whatever form the Decimal has."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format(value.quantize(FEN, rounding=ROUND_HALF_UP), "f")


@extend_schema_field({"type": "string", "format": "decimal", "example": "0.223800"})
class RateStringField(serializers.Field[Decimal, Decimal, str, Any]):
    """A rate on the wire as a fraction with six places ("0.223800" is 22.38%), plain
    digits."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str:
        return format(value.quantize(_RATE_WIRE, rounding=ROUND_HALF_UP), "f")


class InstallmentOutputSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    days = serializers.IntegerField()
    principal = MoneyStringField()
    interest = MoneyStringField()
    total = MoneyStringField()
    balance = MoneyStringField()


class ScheduleOutputSerializer(serializers.Serializer[Any]):
    """The one wire format of a schedule (the preview, the application preview)."""

    installments = InstallmentOutputSerializer(many=True)
    total_principal = MoneyStringField()
    total_interest = MoneyStringField()
    total = MoneyStringField()
    annualized_rate_simple = RateStringField(
        help_text="Daily rate × 360, or the annual rate, at 0.01% (labelled simple)."
    )
    annualized_rate_irr = RateStringField(
        help_text=(
            "The IRR of the cash flows on their actual dates, at 0.01%: bank loans the "
            "monthly IRR × 12, daily-rate loans the daily IRR on day counts × 365."
        )
    )


class SchedulePreviewApi(APIView):
    """Preview a repayment schedule and its annualized rates. Anyone may call it: it is the
    loan calculator's engine and changes nothing."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [AnonRateThrottle]

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "SchedulePreviewInput"

        principal = DecimalStringField(places=2, maximum=MAX_PRINCIPAL)
        term = serializers.IntegerField(
            min_value=1,
            max_value=MAX_TERM,
            error_messages={
                "min_value": f"must be between 1 and {MAX_TERM} months.",
                "max_value": f"must be between 1 and {MAX_TERM} months.",
                "invalid": "must be a whole number of months.",
            },
        )
        method = serializers.ChoiceField(choices=[m.value for m in RepaymentMethod])
        annual_rate = DecimalStringField(places=RATE_DECIMAL_PLACES, required=False)
        daily_rate = DecimalStringField(places=RATE_DECIMAL_PLACES, required=False)
        start_date = serializers.DateField(
            required=False, input_formats=["iso-8601"], error_messages=_DATE_ERRORS
        )
        first_due_date = serializers.DateField(
            required=False, input_formats=["iso-8601"], error_messages=_DATE_ERRORS
        )
        installment_rounding = DecimalStringField(places=2, required=False, maximum=MAX_PRINCIPAL)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            given = [name for name in ("annual_rate", "daily_rate") if name in attrs]
            if len(given) == 2:
                raise serializers.ValidationError(
                    "Give either annual_rate or daily_rate, not both.", code="rate_ambiguous"
                )
            if not given:
                raise serializers.ValidationError(
                    "An interest rate is required: give annual_rate or daily_rate.",
                    code="rate_missing",
                )
            return attrs

    @extend_schema(
        operation_id="schedule_preview",
        request=InputSerializer,
        responses={200: ScheduleOutputSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Bank loan",
                value={
                    "principal": "10000.00",
                    "term": 12,
                    "method": "equal_installment",
                    "annual_rate": "0.0435",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Micro-loan",
                value={
                    "principal": "2500.00",
                    "term": 5,
                    "method": "equal_principal",
                    "daily_rate": "0.0005",
                    "start_date": "2024-05-10",
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "annual_rate" in data:
            rate = InterestRate.annual(data["annual_rate"])
        else:
            rate = InterestRate.daily(data["daily_rate"])
        start_date: dt.date = data.get("start_date") or business_date_get()
        schedule = schedule_quote(
            principal=data["principal"],
            term=data["term"],
            method=RepaymentMethod(data["method"]),
            rate=rate,
            start_date=start_date,
            first_due_date=data.get("first_due_date"),
            rounding_unit=data.get("installment_rounding", FEN),
        )
        return Response(schedule_to_json(schedule))


def schedule_to_json(schedule: Schedule) -> dict[str, Any]:
    """The wire form of a schedule: `ScheduleOutputSerializer`'s."""
    data: dict[str, Any] = ScheduleOutputSerializer(schedule).data
    return data
