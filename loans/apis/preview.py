"""REST API of the loans app. One APIView per operation, input and output serializers
nested in it, one service or selector call each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
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


class InstallmentOutputSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    due_date = serializers.DateField()
    days = serializers.IntegerField()
    principal = serializers.CharField()
    interest = serializers.CharField()
    total = serializers.CharField()
    balance = serializers.CharField()


class ScheduleOutputSerializer(serializers.Serializer[Any]):
    installments = InstallmentOutputSerializer(many=True)
    total_principal = serializers.CharField()
    total_interest = serializers.CharField()
    total = serializers.CharField()
    annualized_rate_simple = serializers.CharField(
        help_text="Daily rate × 360, or the annual rate."
    )
    annualized_rate_irr = serializers.CharField(
        help_text="The periodic IRR of the cash flows × 12."
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
    """The wire form of a schedule: money and rates as strings."""
    return {
        "installments": [
            {
                "number": row.number,
                "due_date": row.due_date.isoformat(),
                "days": row.days,
                "principal": str(row.principal),
                "interest": str(row.interest),
                "total": str(row.total),
                "balance": str(row.balance),
            }
            for row in schedule.installments
        ],
        "total_principal": str(schedule.total_principal),
        "total_interest": str(schedule.total_interest),
        "total": str(schedule.total),
        "annualized_rate_simple": str(schedule.annualized_rate_simple),
        "annualized_rate_irr": str(schedule.annualized_rate_irr),
    }
