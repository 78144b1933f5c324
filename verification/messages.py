"""What the borrower is told, in their language: one message per failure and quality code
of the face engine (whose own messages are the English fallback), and each challenge step's
instruction."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: The message key of an attempt in which no frame showed a face (its failure code is
#: ``no_face``, like a single frame's, but the borrower is told more).
NO_FACE_SEEN = "no_face_seen"

STEP_INSTRUCTIONS: dict[str, Promise] = {
    "turn_left": _("Slowly turn your head to your left, then back to the camera."),
    "turn_right": _("Slowly turn your head to your right, then back to the camera."),
    "look_up": _("Tilt your chin up and look up, then back at the camera."),
    "look_down": _("Nod your head down, then look back at the camera."),
    "come_closer": _("Bring the phone closer to your face."),
}

STEP_NAMES: dict[str, Promise] = {
    "turn_left": _("turn left"),
    "turn_right": _("turn right"),
    "look_up": _("look up"),
    "look_down": _("look down"),
    "come_closer": _("come closer"),
}

MESSAGES: dict[str, Promise] = {
    # Quality of a frame
    "no_face": _(
        "We couldn't see a face. Hold the phone in front of you so your whole face is inside the oval."
    ),
    "multiple_faces": _(
        "More than one face is in the picture. Make sure only you are in front of the camera."
    ),
    "face_cut_off": _(
        "Part of your face is outside the picture. Move back so your whole face is inside the oval."
    ),
    "face_too_small": _(
        "You are too far away. Bring the phone closer until your face fills the oval."
    ),
    "too_close": _("You are too close. Hold the phone a little further away."),
    "too_dark": _("It is too dark. Move somewhere brighter or face a light."),
    "overexposed": _(
        "There is too much light on your face. Move away from direct light or a bright window."
    ),
    "blurry": _("The picture is blurry. Hold the phone still and clean the camera lens."),
    "eyes_covered": _(
        "Your eyes are covered. Take off sunglasses and keep your hands away from your face."
    ),
    "mouth_covered": _(
        "Your mouth is covered. Take off your mask and keep your hands away from your face."
    ),
    "eyes_shaded": _(
        "Your eyes are in shadow. Take off your hat or move your hair away from your eyes."
    ),
    "head_turned": _("Look straight at the camera."),
    # Liveness and identity
    "no_frames": _("No pictures arrived from the camera. Allow camera access and try again."),
    "too_many_frames": _("Too many pictures were sent. Please try again."),
    "frames_repeated": _(
        "The camera sent the same picture more than once. Close other apps that use the camera and try again."
    ),
    "no_motion": _(
        "We only saw a still picture. Hold the phone in front of your face and follow the movements on the screen."
    ),
    "not_enough_usable_frames": _(
        "Too few pictures showed your face clearly. Look at the camera in good light and follow the movements slowly."
    ),
    "challenge_no_frontal_start": _(
        "Start by looking straight at the camera, then follow the movements on the screen."
    ),
    "challenge_wrong_order": _(
        "You did the movements in a different order. Please do them in the order shown: %(steps)s."
    ),
    "challenge_extra_moves": _(
        "We saw movements we did not ask for. Please do only the movements shown, in order: %(steps)s."
    ),
    "challenge_incomplete": _(
        "We didn't see you %(missing)s. Please follow the movements on the screen, in order: %(steps)s."
    ),
    "different_person": _(
        "The face changed during the check. Only you should be in front of the camera."
    ),
    "face_mismatch": _(
        "Your face doesn't match the face you enrolled. Make sure it is you, in good light, looking at the camera, and try again."
    ),
    "frames_reused": _(
        "These pictures were already used in an earlier check. Please take a new check with your camera."
    ),
    "undecodable_frame": _("A picture from the camera could not be read. Please try again."),
    NO_FACE_SEEN: _(
        "None of the pictures showed a face, so this did not use up one of your attempts. Hold the phone in front of you with your whole face inside the oval, in good light, and start again."
    ),
}


def message_for(
    code: str, *, challenge: Sequence[str] = (), missing: str = "", fallback: str = ""
) -> str:
    """The borrower-facing message for a code, in the active language."""
    template = MESSAGES.get(code)
    if template is None:
        return fallback or gettext("The face check did not pass. Please try again.")
    steps = ", ".join(str(STEP_NAMES.get(step, step)) for step in challenge)
    return str(template) % {"steps": steps, "missing": str(STEP_NAMES.get(missing, missing))}
