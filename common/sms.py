"""The SMS-sender interface: how a text message reaches a mobile number (one-time codes,
notices). Like Django's e-mail backends, a setting names the class
(`MICROLEND["SMS_SENDER"]`); a provider plugs in by implementing `SmsSender`.

- `ConsoleSmsSender` (the default) writes each message to standard output, as Django's
  console e-mail backend does: `make run` shows the codes in its log.
- `LocmemSmsSender` keeps messages in `outbox` (the test settings use it, as Django's test
  runner uses the locmem e-mail backend).

Senders are called outside database transactions. A message is at-least-once: a sender
that times out may be asked again."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Protocol, TextIO

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class SmsSendFailed(Exception):
    """The provider refused or could not be reached; the caller may try again later."""


class SmsSender(Protocol):
    name: str

    def send(self, *, phone: str, text: str) -> str:
        """Send `text` to `phone` and return the provider's message reference. Raises
        `SmsSendFailed` when the message was not accepted."""
        ...


class ConsoleSmsSender:
    name = "console"
    _lock = threading.Lock()

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, *, phone: str, text: str) -> str:
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(f"SMS to {phone}: {text}\n")
            stream.flush()
        return f"console-{abs(hash((phone, text))) % 10**12:012d}"


class LocmemSmsSender:
    """Messages are appended to the class-level `outbox` (cleared by tests)."""

    name = "locmem"
    outbox: list[SmsMessage] = []
    _lock = threading.Lock()

    def send(self, *, phone: str, text: str) -> str:
        with self._lock:
            self.outbox.append(SmsMessage(phone=phone, text=text))
            return f"locmem-{len(self.outbox)}"


def sms_sender() -> SmsSender:
    """The configured sender."""
    sender: SmsSender = import_string(settings.MICROLEND["SMS_SENDER"])()
    return sender
