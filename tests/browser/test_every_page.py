"""Every borrower page on a phone, in both languages (Debian's chromium).

Each page the URLconf serves to borrowers is opened at 360×740 and 390×844, in Chinese and
in English, and must show:

- no horizontal overflow (`scrollWidth <= innerWidth`): wide tables scroll in their box;
- no element marked `hidden` on screen;
- one language: no Chinese characters on an English page beyond the language switch and
  the borrower's own data (their name, their bank), and no English phrase (three ASCII
  words in a row) on a Chinese page beyond a short allow-list;
- every button (and link styled as one) at least 44 px tall;
- no script error.

A screenshot of each is saved under the folder the test prints. The list of pages is
checked against the URLconf: a page added to it without a way to open it here fails."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import AgreementAcceptance, BiometricConsent
from loans.models import Loan
from loans.services import loan_application_refuse, loan_application_submit, payout_send
from repayments.services import repayment_submit
from repayments.services.prepayments import (
    prepayment_application_cancel,
    prepayment_application_submit,
)
from tests.accounts.factories import UserFactory
from tests.loans.factories import CLIENT, BankProductFactory, MicroProductFactory, borrower
from tests.repayments.factories import disbursed_loan, documents, pay_rows_on_their_due_dates

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [(360, 740), (390, 844)]
LANGUAGES = ["zh-hans", "en"]
FULL_NAME = "张小明"
BANK = "中国工商银行"

# URL names that are not pages: each is a form's POST target (a GET answers 405) or the
# plumbing of the site.
NOT_PAGES = {
    "accounts:logout": "a POST: signs out",
    "accounts:phone": "a POST of the profile page's mobile-number form",
    "accounts:bank-card": "a POST of the profile page's bank-card form",
    "accounts:biometric-consent": "a POST of the profile page's consent form",
    "verification:biometric-consent-withdraw": "a POST of the profile page",
    "verification:manual-review": "a POST of the face-check page",
    "repayments:prepayment-document": "a document's file, downloaded (not a page)",
    "set_language": "a POST: the language switch",
    "javascript-catalog": "the page scripts' translations",
    None: "the site root: a redirect to the calculator",
}
EXCLUDED_PREFIXES = ("admin/", "api/")

# Words that may stand in English on a Chinese page.
ALLOWED_ENGLISH = ("IRR", "ID", "IP")


def url_names() -> set[str | None]:
    """The names of every route of the URLconf outside the admin and the API."""
    names: set[str | None] = set()

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(EXCLUDED_PREFIXES):
                continue
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                names.add(
                    f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                )

    walk(get_resolver().url_patterns, "", None)
    return names


def build_world(business_date: dt.date) -> dict[str, Any]:
    """A borrower with what every page needs: a line, a loan paid out, an application
    waiting for a face check, a refused one, notices; and a reset link for an e-mail
    account."""
    micro = MicroProductFactory.create()
    bank = BankProductFactory.create(name_en="Personal installment loan")
    person = borrower(business_date=business_date)
    person.profile.full_name = FULL_NAME
    person.profile.bank_name = BANK
    person.profile.save(update_fields=["full_name", "bank_name"])
    BiometricConsent.objects.create(
        user=person, text_version="2024-05-01", granted_at=timezone.now()
    )
    for document in ("user_agreement", "privacy_policy"):
        AgreementAcceptance.objects.create(
            user=person,
            document=document,
            version="2026-12-01",
            language="zh-hans",
            accepted_at=timezone.now(),
        )

    def submit(product, amount, term, key, on=business_date):
        return loan_application_submit(
            borrower=person,
            product=product,
            amount=Decimal(amount),
            term=term,
            method=product.default_method,
            idempotency_key=key,
            client=CLIENT,
            business_date=on,
            now=timezone.now(),
            terms_accepted=True,
        ).application

    paid = submit(micro, "3000", 10, "paid")
    loan = Loan.objects.get(application=paid)
    payout_send(payout_id=loan.payout.pk, business_date=business_date, now=timezone.now())
    repaying = repaying_world(person, micro, bank, business_date, loan, submit)
    waiting = submit(micro, "8000", 5, "waiting")
    assert waiting.status == "face_check_required"
    refused = submit(bank, "50000", 36, "refused")
    if refused.status != "refused":
        loan_application_refuse(
            application_id=refused.pk,
            now=timezone.now(),
            code="face_check_failed",
            reason="Face check failed 3 times.",
        )
    repaying.update(bank_world(person, bank, business_date))
    newcomer = borrower(business_date=business_date, with_profile=False)
    staff = UserFactory.create(is_staff=True, phone="", username="reviewer")
    email_user = UserFactory.create(phone="", username="li@example.com", email="li@example.com")
    return {
        "person": person,
        "newcomer": newcomer,
        "staff": staff,
        "loan": loan,
        "paid": paid,
        "waiting": waiting,
        "refused": refused,
        **repaying,
        "reset": (
            urlsafe_base64_encode(force_bytes(email_user.pk)),
            default_token_generator.make_token(email_user),
        ),
    }


def repaying_world(person, micro, bank, business_date, loan, submit) -> dict[str, Any]:
    """An older draw with an installment overdue (Home's warning, a payoff quote with
    penalty) and a payment beyond what is due on today's draw (a receipt, money held)."""
    drawn = business_date - dt.timedelta(days=52)
    older_application = submit(micro, "2000", 5, "older", on=drawn)
    older = Loan.objects.get(application=older_application)
    payout_send(payout_id=older.payout.pk, business_date=drawn, now=timezone.now())
    receipt = repayment_submit(
        borrower=person,
        loan_public_id=loan.public_id,
        amount=Decimal("100.00"),
        idempotency_key="ahead",
        business_date=business_date,
        now=timezone.now(),
    )
    return {"older": older, "receipt": receipt}


def bank_world(person, bank, business_date) -> dict[str, Any]:
    """A bank loan six months in, every installment paid on time, its seventh due date
    more than the notice days ahead; a prepayment application made and cancelled."""
    contract = business_date - dt.timedelta(days=198)
    bank_loan = disbursed_loan(
        person, bank, amount="100000", term=36, method="equal_installment", on=contract
    )
    pay_rows_on_their_due_dates(bank_loan, through=6)
    seventh = bank_loan.installments.get(number=7).due_date
    assert seventh >= business_date + dt.timedelta(days=bank_loan.prepayment_notice_days)
    application = prepayment_application_submit(
        borrower=person,
        loan_public_id=bank_loan.public_id,
        kind="partial",
        requested_date=seventh,
        principal=Decimal("10000.00"),
        option="keep_term",
        documents=documents(),
        idempotency_key="prepay",
        business_date=business_date,
        now=timezone.now(),
    )
    prepayment_application_cancel(
        borrower=person, application_id=application.pk, now=timezone.now()
    )
    return {"bank_loan": bank_loan, "prepayment": application, "seventh": seventh}


def pages(world: dict[str, Any]) -> dict[str | None, list[tuple[str, str, str]]]:
    """For each URL name: the (state, who, path) to open. `who` is "anyone", "borrower"
    (the borrower with loans) or "newcomer" (a borrower without a profile yet)."""
    paid, waiting, refused, loan = world["paid"], world["waiting"], world["refused"], world["loan"]
    uid, token = world["reset"]
    contract_query = "?product=weili&amount=1000&term=5&method=equal_principal&idempotency_key=k1"
    older, receipt, prepayment = world["older"], world["receipt"], world["prepayment"]
    prepayment_url = reverse("repayments:prepayment", args=[world["bank_loan"].public_id])
    prepayment_query = (
        f"?kind=partial&requested_date={world['seventh']}&principal=10000.00"
        "&option=keep_installment&idempotency_key=page-check-key"
    )
    return {
        "loans:calculator": [("calculator", "anyone", reverse("loans:calculator"))],
        "loans:home": [
            ("home", "borrower", reverse("loans:home")),
            ("home-new", "newcomer", reverse("loans:home")),
            # Staff who open a borrower page are sent to the back office.
            ("staff-on-home", "staff", reverse("loans:home")),
        ],
        "loans:credit-line": [
            ("credit-line", "borrower", reverse("loans:credit-line") + "?granted=1")
        ],
        "loans:apply": [
            ("apply", "borrower", reverse("loans:apply")),
            ("apply-bank", "borrower", reverse("loans:apply") + "?product=bank-installment"),
        ],
        "loans:apply-contract": [
            ("contract", "borrower", reverse("loans:apply-contract") + contract_query)
        ],
        "loans:application": [
            ("application-paid", "borrower", reverse("loans:application", args=[paid.public_id])),
            (
                "application-face-check",
                "borrower",
                reverse("loans:application", args=[waiting.public_id]),
            ),
            (
                "application-refused",
                "borrower",
                reverse("loans:application", args=[refused.public_id]),
            ),
        ],
        "loans:application-contract": [
            (
                "accepted-contract",
                "borrower",
                reverse("loans:application-contract", args=[paid.public_id]),
            )
        ],
        "loans:loan": [
            ("loan", "borrower", reverse("loans:loan", args=[loan.public_id])),
            ("loan-overdue", "borrower", reverse("loans:loan", args=[older.public_id])),
            ("loan-bank", "borrower", reverse("loans:loan", args=[world["bank_loan"].public_id])),
        ],
        "loans:profile": [
            ("profile", "borrower", reverse("loans:profile")),
            ("profile-new", "newcomer", reverse("loans:profile")),
        ],
        "repayments:pay": [
            ("pay", "borrower", reverse("repayments:pay", args=[loan.public_id])),
            ("pay-overdue", "borrower", reverse("repayments:pay", args=[older.public_id])),
        ],
        "repayments:receipt": [
            ("receipt", "borrower", reverse("repayments:receipt", args=[receipt.public_id]))
        ],
        "repayments:payoff": [
            ("payoff-quote", "borrower", reverse("repayments:payoff", args=[older.public_id])),
            ("payoff-same-day", "borrower", reverse("repayments:payoff", args=[loan.public_id])),
        ],
        "repayments:refund": [
            ("refund", "borrower", reverse("repayments:refund", args=[loan.public_id]))
        ],
        "repayments:prepayment": [
            ("prepayment", "borrower", prepayment_url),
            ("prepayment-preview", "borrower", prepayment_url + prepayment_query),
            (
                "prepayment-micro",
                "borrower",
                reverse("repayments:prepayment", args=[loan.public_id]),
            ),
        ],
        "repayments:prepayment-applications": [
            ("prepayment-applications", "borrower", reverse("repayments:prepayment-applications"))
        ],
        "repayments:prepayment-application": [
            (
                "prepayment-application",
                "borrower",
                reverse("repayments:prepayment-application", args=[prepayment.public_id]),
            )
        ],
        "verification:enrol": [("enrol", "borrower", reverse("verification:enrol"))],
        "verification:face-check": [
            (
                "face-check",
                "borrower",
                reverse("verification:face-check", args=[waiting.public_id]),
            )
        ],
        "notifications:list": [("notices", "borrower", reverse("notifications:list"))],
        "accounts:signup": [("signup", "anyone", reverse("accounts:signup"))],
        "accounts:login": [("login", "anyone", reverse("accounts:login"))],
        "accounts:password": [("password", "borrower", reverse("accounts:password"))],
        "accounts:password-reset": [("reset", "anyone", reverse("accounts:password-reset"))],
        "accounts:password-reset-email": [
            ("reset-email", "anyone", reverse("accounts:password-reset-email"))
        ],
        "accounts:password-reset-email-sent": [
            ("reset-email-sent", "anyone", reverse("accounts:password-reset-email-sent"))
        ],
        "accounts:password-reset-confirm": [
            (
                "reset-confirm",
                "anyone",
                reverse("accounts:password-reset-confirm", args=[uid, token]),
            ),
            (
                "reset-confirm-expired",
                "anyone",
                reverse("accounts:password-reset-confirm", args=[uid, "expired-token"]),
            ),
        ],
        "accounts:password-reset-complete": [
            ("reset-done", "anyone", reverse("accounts:password-reset-complete"))
        ],
        "accounts:agreement": [
            (f"agreement-{d}", "anyone", reverse("accounts:agreement", args=[d]))
            for d in ("user_agreement", "privacy_policy", "credit_report")
        ],
    }


CHECK_SCRIPT = """
(own) => {
  const doc = document.documentElement;
  const pageLang = doc.lang;
  const visible = (el) => {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden"
      && el.getClientRects().length > 0;
  };
  const problems = [];
  if (doc.scrollWidth > window.innerWidth) {
    const wide = Array.from(document.querySelectorAll("body *")).filter(
      (el) => el.getBoundingClientRect().right > window.innerWidth + 0.5 && visible(el)
        && !el.closest(".table-wrap")
    ).slice(0, 3).map((el) => el.tagName + "." + el.className);
    problems.push(
      `overflow: scrollWidth ${doc.scrollWidth} > innerWidth ${window.innerWidth} (${wide})`
    );
  }
  for (const el of document.querySelectorAll("[hidden]")) {
    if (visible(el)) problems.push(`hidden but shown: ${el.tagName}#${el.id}`);
  }
  const tappable = "button, input[type=submit], input[type=button], .button, [role=button]";
  for (const el of document.querySelectorAll(tappable)) {
    if (!visible(el)) continue;
    const height = el.getBoundingClientRect().height;
    const what = `${el.tagName}#${el.id} "${el.textContent.trim().slice(0, 30)}"`;
    if (height < 43.5) problems.push(`tap target ${Math.round(height)}px: ${what}`);
  }
  // The text a reader sees, without the borrower's own data (translate="no") and without
  // parts in another language on purpose (the language switch).
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || !node.textContent.trim()) continue;
    if (el.closest("script, style, noscript, [translate=no]")) continue;
    const marked = el.closest("[lang]");
    if (marked && marked !== doc && marked.getAttribute("lang") !== pageLang) continue;
    if (!visible(el)) continue;
    texts.push(node.textContent);
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder], [title], img[alt]")) {
    if (el.closest("[translate=no]") || !visible(el)) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  let text = texts.join(" ").replace(/\\s+/g, " ");
  for (const value of own) text = text.split(value).join(" ");
  return { problems, text };
}
"""

# What a page weighs: the document and every file it loaded, decoded (before compression).
WEIGHT_SCRIPT = """
() => performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
  .reduce((total, entry) => total + (entry.decodedBodySize || 0), 0)
"""

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*){2,}")


def language_problems(language: str, text: str) -> list[str]:
    if language == "en":
        found = sorted({m.group(0) for m in CJK.finditer(text)})
        if found:
            spots = [text[max(0, m.start() - 20) : m.end() + 20] for m in CJK.finditer(text)][:3]
            return [f"Chinese on an English page: {''.join(found)[:40]} in {spots}"]
        return []
    runs = [run for run in ENGLISH_RUN.findall(text) if run not in ALLOWED_ENGLISH]
    return [f"English on a Chinese page: {runs[:5]}"] if runs else []


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def screenshots(capsys):
    """var/screenshots/borrower-pages/ (or $BORROWER_PAGES_SCREENSHOTS), emptied first."""
    folder = Path(
        os.environ.get(
            "BORROWER_PAGES_SCREENSHOTS",
            str(Path(settings.BASE_DIR) / "var" / "screenshots" / "borrower-pages"),
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    with capsys.disabled():
        print(f"\nscreenshots of every borrower page: {folder}")
    return folder


def test_every_borrower_page_is_listed():
    world = {
        "paid": type("A", (), {"public_id": "00000000-0000-0000-0000-000000000001"})(),
        "waiting": type("A", (), {"public_id": "00000000-0000-0000-0000-000000000002"})(),
        "refused": type("A", (), {"public_id": "00000000-0000-0000-0000-000000000003"})(),
        "loan": type("L", (), {"public_id": "00000000-0000-0000-0000-000000000004"})(),
        "older": type("L", (), {"public_id": "00000000-0000-0000-0000-000000000005"})(),
        "bank_loan": type("L", (), {"public_id": "00000000-0000-0000-0000-000000000006"})(),
        "receipt": type("R", (), {"public_id": "00000000-0000-0000-0000-000000000007"})(),
        "prepayment": type("P", (), {"public_id": "00000000-0000-0000-0000-000000000008"})(),
        "seventh": "2024-05-25",
        "reset": ("MQ", "token"),
    }
    listed = set(pages(world)) | set(NOT_PAGES)
    routes = url_names()
    assert routes - listed == set(), "pages with no way to open them in this test"
    assert listed - routes == set(), "listed pages the URLconf no longer has"


def test_every_page_on_a_phone_in_both_languages(
    live_server, chromium, business_date, screenshots, capsys
):
    world = build_world(business_date)
    cookies = {
        "borrower": session_cookie(world["person"]),
        "newcomer": session_cookie(world["newcomer"]),
        "staff": session_cookie(world["staff"]),
    }
    own = [FULL_NAME, BANK, world["person"].profile.id_number_masked]
    checked, problems = 0, []
    weights: dict[str, int] = {}
    started = time.monotonic()
    for width, height in VIEWPORTS:
        for language in LANGUAGES:
            contexts = {}
            for who in ("anyone", "borrower", "newcomer", "staff"):
                context = chromium.new_context(
                    viewport={"width": width, "height": height},
                    device_scale_factor=2,
                    is_mobile=True,
                    has_touch=True,
                    locale="en-US" if language == "en" else "zh-CN",
                )
                jar = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
                if who in cookies:
                    jar.append({"name": settings.SESSION_COOKIE_NAME, "value": cookies[who]})
                context.add_cookies([{**c, "url": live_server.url} for c in jar])
                context.set_default_timeout(20_000)
                contexts[who] = context
            for name, states in pages(world).items():
                for state, who, path in states:
                    page = contexts[who].new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                    response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
                    label = f"{state} {width}px {language}"
                    status = response.status if response else 0
                    if status != (403 if who == "staff" else 200):
                        problems.append(f"{label}: HTTP {status}")
                    weights[state] = page.evaluate(WEIGHT_SCRIPT)
                    result = page.evaluate(CHECK_SCRIPT, own)
                    found = result["problems"] + language_problems(language, result["text"])
                    found += [f"script error: {e}" for e in errors]
                    if page.evaluate("document.documentElement.lang") != language:
                        found.append("the page is not in the chosen language")
                    problems += [f"{label} ({name}): {p}" for p in found]
                    page.screenshot(
                        path=str(screenshots / f"{state}-{width}-{language}.png"), full_page=True
                    )
                    checked += 1
                    page.close()
            for context in contexts.values():
                context.close()
    expected = sum(len(states) for states in pages(world).values()) * 4
    assert checked == expected
    sizes = sorted(weights.values())
    heaviest = max(weights, key=lambda state: weights[state])
    with capsys.disabled():
        print(
            f"\n{checked} page views of {len(weights)} pages checked in "
            f"{time.monotonic() - started:.0f} s; page weight (HTML, CSS, scripts, "
            f"uncompressed) {sizes[0] / 1024:.0f}-{sizes[-1] / 1024:.0f} kB, median "
            f"{sizes[len(sizes) // 2] / 1024:.0f} kB, heaviest {heaviest}"
        )
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_what_they_look_for(chromium):
    """The checks above on a page that breaks each rule, and on one that breaks none."""
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_content(
        """<html lang="zh-hans"><body>
        <style>.shown { display: block; }</style>
        <div style="width: 500px">太宽了</div>
        <p class="shown" hidden>隐藏</p>
        <button style="height: 30px">小</button>
        <p>This is English text on a Chinese page.</p>
        <span translate="no">Zhang Xiaoming Lives Here</span>
        <div class="table-wrap" style="overflow-x: auto"><table><tr><td>宽表</td></tr></table></div>
        </body></html>"""
    )
    result = page.evaluate(CHECK_SCRIPT, [])
    kinds = {problem.split(":")[0] for problem in result["problems"]}
    assert kinds == {"overflow", "hidden but shown", "tap target 30px"}
    assert language_problems("zh-hans", result["text"]) == [
        "English on a Chinese page: ['This is English text on a Chinese page']"
    ]
    assert language_problems("en", "Your loan 借款 is ready") != []
    assert language_problems("en", "Your loan is ready") == []
    page.set_content(
        """<html lang="en"><body><p>Fine</p><button style="height: 48px">OK</button>
        <button lang="zh-hans" style="height: 44px">中文</button><p translate="no">张小明</p>
        <div class="table-wrap" style="overflow-x: auto; max-width: 100%">
        <table style="width: 900px"><tr><td>wide table</td></tr></table></div></body></html>"""
    )
    result = page.evaluate(CHECK_SCRIPT, [])
    assert result["problems"] == []
    assert language_problems("en", result["text"]) == []
    context.close()
