"""The documents a borrower accepts: the user agreement and the privacy policy at sign-up,
the credit-report authorisation when they complete the real-name profile (the credit line
is decided on it, and overdue debts are reported to the credit bureau).

Like the biometric consent (`accounts.consent`), each text is versioned here rather than
translated through gettext: an acceptance row stores the version, so the words accepted can
always be shown again exactly. Any change to either language needs a new version."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import AgreementAcceptance

Document = AgreementAcceptance.Document


@dataclass(frozen=True)
class AgreementText:
    document: str
    version: str
    title: dict[str, str]
    body: dict[str, str]

    def title_in(self, language_code: str) -> str:
        return self.title[agreement_language(language_code)]

    def body_in(self, language_code: str) -> str:
        return self.body[agreement_language(language_code)]


USER_AGREEMENT = AgreementText(
    document=Document.USER_AGREEMENT,
    version="2026-12-01",
    title={"zh-hans": "用户服务协议", "en": "User agreement"},
    body={
        "zh-hans": """\
1. 服务内容：本平台为您提供借款额度查询、借款申请、还款及相关信息服务。\
借款合同在您每次借款时另行签署，以借款合同为准。
2. 账户：您应使用本人的手机号码或电子邮箱注册，并妥善保管密码。\
通过您的账户进行的操作视为您本人的操作。发现账户被他人使用时，请立即修改密码并联系我们。
3. 真实信息：申请额度和借款时，您应提供本人真实、准确的身份和银行卡信息。\
提供虚假信息的，我们可以拒绝或终止服务。
4. 费用：除借款合同载明的利息及费用外，本平台不向您收取其他费用。\
所有利率均同时以年化利率（IRR）展示。
5. 禁止行为：不得冒用他人身份、利用本平台从事违法活动或干扰平台正常运行。
6. 协议变更：协议更新时，我们会在您下次使用前请您阅读并同意新版本。
7. 争议解决：本协议适用中华人民共和国法律。""",
        "en": """\
1. The service: this platform lets you see your credit line, apply for loans, repay them \
and follow their progress. Each loan has its own loan contract, which you sign when you \
borrow and which prevails for that loan.
2. Your account: sign up with your own mobile number or e-mail address and keep your \
password safe. What is done through your account counts as done by you. If someone else \
has used your account, change your password and contact us at once.
3. True information: when you apply for a credit line or a loan, give your own true and \
accurate identity and bank card details. We may refuse or end the service if they are \
false.
4. Charges: apart from the interest and fees in a loan contract, the platform charges you \
nothing. Every rate is also shown as an annualized rate (IRR).
5. Not allowed: using another person's identity, using the platform for anything illegal, \
or disrupting it.
6. Changes: when this agreement changes, we ask you to read and accept the new version \
before you continue.
7. Disputes: this agreement is governed by the law of the People's Republic of China.""",
    },
)

PRIVACY_POLICY = AgreementText(
    document=Document.PRIVACY_POLICY,
    version="2026-12-01",
    title={"zh-hans": "隐私政策", "en": "Privacy policy"},
    body={
        "zh-hans": """\
1. 我们收集的信息：手机号码或电子邮箱；实名信息（姓名、身份证号、银行卡号及开户行）；\
登录和借款时的设备标识、IP 地址；借款及还款记录。人脸信息仅在您单独同意后处理，见人脸识别单独授权同意书。
2. 使用目的：开立和保护您的账户、核实身份、评估额度和风险、放款与收款、按规定向征信机构报送信息、\
向您发送验证码及借款相关通知。
3. 保存与保护：身份证号和银行卡号加密存储，页面上只显示部分号码。\
借款及逾期记录在债务结清后保存五年。
4. 对外提供：除完成放款收款所需的支付机构、依法报送的征信机构及法律法规要求外，\
我们不向第三方提供您的个人信息。
5. 您的权利：您可以查询、更正您的信息，撤回同意，或联系我们注销账户。
6. 联系我们：如对本政策有疑问，请通过平台客服联系我们。""",
        "en": """\
1. What we collect: your mobile number or e-mail address; your real-name details (name, \
ID number, bank card number and bank); the device id and IP address of each sign-in and \
application; your loans and repayments. Face data is processed only with your separate \
consent, under the face recognition consent.
2. Why: to open and protect your account, confirm your identity, decide your credit line \
and the risk of each loan, pay out and collect, report to the credit bureau as the rules \
require, and send you codes and notices about your loans.
3. Keeping it safe: ID and bank card numbers are stored encrypted and only ever shown \
masked. Loan and overdue records are kept for five years after a debt is settled.
4. Sharing: we share your personal information only with the payment providers that pay \
out and collect, with the credit bureau as the law requires, and where a law or \
regulation demands it.
5. Your rights: you can see and correct your information, withdraw a consent, or ask us \
to close your account.
6. Contact: if you have a question about this policy, contact our customer service.""",
    },
)

CREDIT_REPORT_AUTHORISATION = AgreementText(
    document=Document.CREDIT_REPORT,
    version="2026-12-01",
    title={"zh-hans": "个人征信授权书", "en": "Credit-report authorisation"},
    body={
        "zh-hans": """\
本人授权本平台：
1. 在审批额度、审核借款及贷后管理时，向中国人民银行征信中心及依法设立的征信机构查询本人的信用信息；
2. 向上述征信机构报送本人的借款信息及还款情况。若发生逾期，逾期记录将在报送前通知本人，\
并可能影响本人的信用记录；
3. 本授权自本人同意之日起至本人在本平台的全部借款结清之日止有效。""",
        "en": """\
I authorise the platform:
1. to query my credit information from the Credit Reference Center of the People's Bank \
of China and other lawfully established credit bureaus, when deciding my credit line, \
reviewing my loans and managing them afterwards;
2. to report my loans and how I repay them to those bureaus. If a payment is overdue, I \
am notified before the record is reported, and it may affect my credit record;
3. this authorisation is valid from the day I give it until every loan I have on the \
platform is settled.""",
    },
)

AGREEMENTS: dict[str, AgreementText] = {
    text.document: text for text in (USER_AGREEMENT, PRIVACY_POLICY, CREDIT_REPORT_AUTHORISATION)
}
# Accepted together when an account is opened.
SIGNUP_DOCUMENTS = (Document.USER_AGREEMENT, Document.PRIVACY_POLICY)


def agreement_language(language_code: str) -> str:
    """The language of the text shown: Chinese unless the borrower chose English."""
    return "en" if (language_code or "").startswith("en") else "zh-hans"


def agreement_current(document: str) -> AgreementText:
    return AGREEMENTS[document]
