"""The face check for mobile clients: enrol, start a check (its challenge), send the
frames, read the result; live capture hints; manual review; the biometric consent (here
because withdrawing it erases the face data). Borrowers only, their own applications
only."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts.apis import REFUSED_RESPONSES, BorrowerSelfApi, ConsentOutputSerializer
from accounts.consent import BIOMETRIC_CONSENT_VERSION, biometric_consent_text
from accounts.models import User
from accounts.permissions import IsBorrower
from accounts.selectors import biometric_consent_active
from accounts.services import biometric_consent_grant
from common.api import ErrorSerializer
from common.exceptions import InvalidInput
from common.images import ImageLimits, ImageRefused, image_check
from common.request_context import client_context
from common.selectors import business_date_for_money
from common.uploads import BodyLimitMixin, upload_throttles
from verification.messages import STEP_INSTRUCTIONS
from verification.models import FaceEnrolment, VerificationSession
from verification.selectors import face_capture_hints, face_check_state
from verification.services import (
    face_check_attempt_submit,
    face_check_session_start,
    face_consent_withdraw,
    face_data_erase,
    face_enrol,
    manual_review_request,
)


def _borrower(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsBorrower let only borrowers through
    return user


class HintThrottle(UserRateThrottle):
    scope = "face_hints"


def _picture(upload: Any, limits: str, *, decode: bool, field: str) -> bytes:
    """The bytes of an uploaded picture, refused (400, nothing stored) unless it is a JPEG
    or PNG within the named limits of settings.UPLOADS["IMAGES"]. The size is checked
    before the file is read into memory, the pixel count before anything is decoded."""
    bounds = ImageLimits.from_settings(limits)
    size = getattr(upload, "size", None)
    if size is not None and size > bounds.max_bytes:
        raise InvalidInput(
            f"{field}: the file is larger than {bounds.max_bytes // 1000} kB.",
            code=f"{field}_too_large",
        )
    data: bytes = upload.read(bounds.max_bytes + 1)
    try:
        image_check(data, bounds, decode=decode)
    except ImageRefused as exc:
        raise InvalidInput(f"{field}: {exc.message}", code=f"{field}_{exc.code}") from exc
    return data


_UPLOAD_REFUSED = {
    400: ErrorSerializer,
    409: ErrorSerializer,
    413: ErrorSerializer,
    429: ErrorSerializer,
}


class ChallengeStepSerializer(serializers.Serializer[Any]):
    step = serializers.CharField()
    instruction = serializers.CharField()


class SessionOutputSerializer(serializers.Serializer[Any]):
    class Meta:
        ref_name = "FaceCheckSession"

    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    challenge = serializers.SerializerMethodField()
    nonce = serializers.CharField()
    expires_at = serializers.DateTimeField()

    def get_challenge(self, session: VerificationSession) -> list[dict[str, str]]:
        return [
            {"step": step, "instruction": str(STEP_INSTRUCTIONS.get(step, step))}
            for step in session.challenge
        ]


def _session_json(session: VerificationSession) -> dict[str, Any]:
    data = dict(SessionOutputSerializer(session).data)
    if session.status != VerificationSession.Status.OPEN:
        data["nonce"] = ""
    state = face_check_state(
        borrower=session.borrower, application_id=session.application_id, now=timezone.now()
    )
    data["attempts_left"] = state.attempts_left
    return data


class FaceEnrolmentApi(BodyLimitMixin, APIView):
    permission_classes = [IsBorrower]
    parser_classes = [MultiPartParser]
    max_body_bytes = "MAX_PHOTO_REQUEST_BYTES"

    def get_throttles(self) -> list[Any]:
        if self.request.method == "POST":
            return [throttle() for throttle in upload_throttles("face_enrolment")]
        return super().get_throttles()

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "FaceEnrolmentInput"

        photo = serializers.FileField(help_text="One clear, frontal photo (JPEG or PNG).")

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "FaceEnrolment"

        enrolled_at = serializers.DateTimeField()
        quality = serializers.DictField()

    @extend_schema(
        operation_id="face_enrolment_create",
        request=InputSerializer,
        responses={201: OutputSerializer, **_UPLOAD_REFUSED},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Decoded by the enrolment itself, once the header's pixel count has passed.
        photo = _picture(serializer.validated_data["photo"], "photo", decode=False, field="photo")
        enrolment = face_enrol(
            user=_borrower(request),
            photo=photo,
            context=client_context(request),
            now=timezone.now(),
        )
        return Response(self.OutputSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="face_enrolment_retrieve",
        responses={200: OutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        enrolment = FaceEnrolment.objects.filter(user=_borrower(request)).first()
        if enrolment is None:
            return Response(
                {"detail": "No face is enrolled.", "code": "face_not_enrolled"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(self.OutputSerializer(enrolment).data)


class FaceDataApi(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(operation_id="face_data_erase", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        face_data_erase(
            user=_borrower(request), now=timezone.now(), reason="Erased at the borrower's request."
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class FaceCheckStartApi(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="face_check_start",
        request=None,
        responses={
            201: SessionOutputSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        session = face_check_session_start(
            borrower=_borrower(request), application_public_id=public_id, now=timezone.now()
        )
        return Response(_session_json(session), status=status.HTTP_201_CREATED)


class FaceCheckDetailApi(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="face_check_retrieve",
        responses={200: SessionOutputSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        session = VerificationSession.objects.filter(
            public_id=public_id, borrower=_borrower(request)
        ).first()
        if session is None:
            return Response(
                {"detail": "No such face check.", "code": "not_found"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(_session_json(session))


class FaceCheckAttemptApi(BodyLimitMixin, APIView):
    permission_classes = [IsBorrower]
    parser_classes = [MultiPartParser]

    def get_throttles(self) -> list[Any]:
        return [throttle() for throttle in upload_throttles("face_attempt")]

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "FaceCheckAttemptInput"

        nonce = serializers.CharField(max_length=64)
        frames = serializers.ListField(
            child=serializers.FileField(),
            min_length=1,
            max_length=int(settings.FACE_CHECK["MAX_FRAMES"]),
            help_text="JPEG or PNG frames, in order.",
        )

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "FaceCheckAttempt"

        passed = serializers.BooleanField()
        code = serializers.CharField()
        message = serializers.CharField()
        counts_towards_refusal = serializers.BooleanField(
            help_text="False when it passed, and when no picture showed a face (code "
            "no_face): such an attempt does not use up one of the attempts allowed, but "
            "counts towards the lock after repeated failures."
        )
        attempts_left = serializers.IntegerField()
        application_status = serializers.CharField()
        next = SessionOutputSerializer(allow_null=True)

    @extend_schema(
        operation_id="face_check_attempt",
        request=InputSerializer,
        responses={200: OutputSerializer, 404: ErrorSerializer, **_UPLOAD_REFUSED},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Every frame is a real, fully decodable JPEG/PNG of camera size, or the attempt is
        # refused before it counts and before anything is stored.
        frames = [
            _picture(upload, "frame", decode=True, field="frames") for upload in data["frames"]
        ]
        outcome = face_check_attempt_submit(
            borrower=_borrower(request),
            session_public_id=public_id,
            nonce=data["nonce"],
            frames=frames,
            business_date=business_date_for_money(),
            now=timezone.now(),
        )
        session = outcome.session
        retry = session.status == VerificationSession.Status.OPEN
        return Response(
            {
                "passed": outcome.attempt.passed,
                "code": outcome.attempt.failure_code,
                "message": outcome.message,
                "counts_towards_refusal": outcome.counts_towards_refusal,
                "attempts_left": outcome.attempts_left,
                "application_status": outcome.application.status,
                "next": _session_json(session) if retry else None,
            }
        )


class FaceCaptureHintApi(BodyLimitMixin, APIView):
    """Live guidance while the borrower lines up: send a small preview frame, get what to
    fix. Nothing is stored."""

    permission_classes = [IsBorrower]
    parser_classes = [MultiPartParser]
    throttle_classes = [HintThrottle]
    max_body_bytes = "MAX_HINT_REQUEST_BYTES"

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "FaceHintInput"

        frame = serializers.FileField()

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "FaceHint"

        code = serializers.CharField()
        message = serializers.CharField()

    @extend_schema(
        operation_id="face_capture_hints",
        request=InputSerializer,
        responses={200: OutputSerializer(many=True), 400: ErrorSerializer, 413: ErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        frame = _picture(serializer.validated_data["frame"], "hint", decode=False, field="frame")
        hints = face_capture_hints(frame=frame)
        return Response([{"code": h.code, "message": h.message} for h in hints])


class ManualReviewApi(APIView):
    permission_classes = [IsBorrower]

    class InputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "ManualReviewInput"

        reason = serializers.ChoiceField(choices=["no_camera", "no_consent", "other"])
        note = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer[Any]):
        class Meta:
            ref_name = "ManualReview"

        id = serializers.UUIDField(source="public_id")
        status = serializers.CharField()
        reason = serializers.CharField()
        requested_at = serializers.DateTimeField()

    @extend_schema(
        operation_id="manual_review_request",
        request=InputSerializer,
        responses={201: OutputSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = manual_review_request(
            borrower=_borrower(request),
            application_public_id=public_id,
            reason=serializer.validated_data["reason"],
            note=serializer.validated_data.get("note", ""),
            now=timezone.now(),
        )
        return Response(self.OutputSerializer(review).data, status=status.HTTP_201_CREATED)


class BiometricConsentApi(BorrowerSelfApi):
    """The separate consent to face recognition. GET shows the text to agree to (in the
    request's language) and the current consent; POST agrees to it; DELETE withdraws it
    (always possible)."""

    @extend_schema_serializer(component_name="BiometricConsentText")
    class TextOutputSerializer(serializers.Serializer[Any]):
        text_version = serializers.CharField()
        text = serializers.CharField()
        consent = ConsentOutputSerializer(allow_null=True)

    @extend_schema_serializer(component_name="BiometricConsentInput")
    class InputSerializer(serializers.Serializer[Any]):
        text_version = serializers.CharField(
            max_length=32, help_text="The version of the text the borrower read (from GET)."
        )
        agree = serializers.BooleanField(help_text="Must be true: consent is never implied.")

        def validate_agree(self, value: bool) -> bool:
            if not value:
                raise serializers.ValidationError(
                    "Consent must be given explicitly: send true.", code="not_given"
                )
            return value

    @extend_schema(
        operation_id="me_biometric_consent_get",
        responses={200: TextOutputSerializer, **REFUSED_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        consent = biometric_consent_active(user=_borrower(request))
        return Response(
            self.TextOutputSerializer(
                {
                    "text_version": BIOMETRIC_CONSENT_VERSION,
                    "text": biometric_consent_text(get_language() or settings.LANGUAGE_CODE),
                    "consent": consent,
                }
            ).data
        )

    @extend_schema(
        operation_id="me_biometric_consent_grant",
        request=InputSerializer,
        responses={201: ConsentOutputSerializer, 400: ErrorSerializer, **REFUSED_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = biometric_consent_grant(
            user=_borrower(request),
            text_version=serializer.validated_data["text_version"],
            context=client_context(request._request),
            now=timezone.now(),
        )
        return Response(ConsentOutputSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="me_biometric_consent_withdraw",
        request=None,
        responses={
            200: ConsentOutputSerializer,
            404: OpenApiResponse(ErrorSerializer, description="`consent_not_active`"),
            **REFUSED_RESPONSES,
        },
    )
    def delete(self, request: Request) -> Response:
        # Withdrawing the consent also erases every bit of the borrower's face data.
        consent = face_consent_withdraw(user=_borrower(request), now=timezone.now())
        return Response(ConsentOutputSerializer(consent).data)
