"""The text a borrower agrees to before we process their face (biometric data).

Face data is sensitive personal information (PIPL, 《个人信息保护法》 arts. 28-29): it needs
a separate, explicit consent to a text that says what is collected, why, how long it is
kept and how to withdraw. The text is versioned here rather than translated through
gettext, because the words a borrower agreed to must be reproducible exactly: a consent
row stores `text_version`, and any change to either language needs a new version (old
consents then stay valid for what they said, and the borrower is asked again).
"""

from __future__ import annotations

BIOMETRIC_CONSENT_VERSION = "2024-05-01"

BIOMETRIC_CONSENT_TEXT: dict[str, str] = {
    "zh-hans": """\
人脸识别（生物识别信息）单独授权同意书

1. 处理目的：在您申请借款且风险评估要求时，核验是本人操作（活体检测及与您的参考人脸照片比对），\
防止他人冒用您的身份借款。
2. 处理的信息：您录入的参考人脸照片、每次核验时拍摄的若干帧图像，以及由此计算出的人脸特征值。\
人脸信息属于敏感个人信息。
3. 保存与保护：上述信息加密存储，不通过公开链接提供，仅经专门授权的工作人员可以查看。\
每次核验的图像在 30 天后删除。参考照片及其特征值保存至您撤回本同意或注销账户为止。
4. 不对外提供：除法律、行政法规另有规定外，我们不会向第三方提供您的人脸信息。
5. 自愿与替代方式：本授权为单独同意，完全自愿。不同意不影响您使用其他功能。\
需要核验时，您可以选择由工作人员进行视频或人工审核。
6. 撤回：您可以随时在“我的资料”页面撤回本同意，撤回后我们将删除您的人脸信息。\
撤回不影响撤回前基于本同意已进行的处理。""",
    "en": """\
Separate consent to face recognition (biometric data)

1. Purpose: when you apply for a loan and the risk evaluation asks for it, we check that \
it is really you (a liveness check and a comparison with your reference face photo), so \
that nobody else can borrow in your name.
2. What we process: the reference face photo you enrol, the frames captured during each \
check, and the face features computed from them. Face data is sensitive personal \
information.
3. Storage and protection: this data is encrypted at rest, never served from a public \
link, and visible only to specially authorised staff. Frames from each check are deleted \
after 30 days; the reference photo and its features are kept until you withdraw this \
consent or close your account.
4. No sharing: we do not give your face data to any third party unless a law or \
regulation requires it.
5. Your choice, and the alternative: this is a separate consent and entirely voluntary. \
Without it you can still use everything else; when a check is needed you can choose a \
video or manual review by our staff instead.
6. Withdrawal: you can withdraw this consent at any time on your profile page; your face \
data is then deleted. Withdrawal does not affect processing already done under this \
consent.""",
}


def biometric_consent_language(language_code: str) -> str:
    """The language of the text shown: Chinese unless the borrower chose English."""
    return "en" if language_code.startswith("en") else "zh-hans"


def biometric_consent_text(language_code: str) -> str:
    """The consent text in the borrower's language."""
    return BIOMETRIC_CONSENT_TEXT[biometric_consent_language(language_code)]
