"""A text-message provider that is down, to test what a failed delivery does."""

from common.sms import SmsSendFailed


class DownSmsSender:
    name = "down"

    def send(self, *, phone: str, text: str) -> str:
        raise SmsSendFailed("provider unreachable")
