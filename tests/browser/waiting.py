"""Waiting for a condition in the page under its Content-Security-Policy.

Playwright's `wait_for_function` polls by evaluating the condition with `eval` inside the
page, which the policy (script-src 'self', no 'unsafe-eval') refuses, as it should for
any script. `page.evaluate` goes through the browser's debugging protocol instead, which
the policy does not govern, so the condition is polled from here."""

import time

DEFAULT_TIMEOUT_SECONDS = 30


def wait_until(page, expression: str, timeout: int = DEFAULT_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
