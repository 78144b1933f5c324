"""The back office's names for models and fields declared without a translatable one
(common/admin_labels.py), the sentences services store (common/record_texts.py), and the
libraries' texts our catalog translates (common/vendor_messages.py)."""

from django.utils import translation

from common.admin_labels import FIELD_LABELS, MODEL_NAMES, untranslated_names
from common.record_texts import SENTENCES, record_text
from common.vendor_messages import VENDOR_MESSAGES
from loans.models import ApplicationEvent, Installment


def test_every_unnamed_field_and_model_has_its_words_listed():
    assert untranslated_names() == set()


def test_the_listed_words_are_translated():
    with translation.override("zh-hans"):
        missing = [
            words
            for words in (*FIELD_LABELS, *MODEL_NAMES, *VENDOR_MESSAGES)
            if translation.gettext(words) == words
        ]
    assert missing == []


def test_the_admin_shows_them_in_the_staffs_language():
    from_status = ApplicationEvent._meta.get_field("from_status")
    with translation.override("zh-hans"):
        assert str(from_status.verbose_name) == "原状态"
        assert str(Installment._meta.get_field("principal_paid").verbose_name) == "已还本金"
    with translation.override("en"):
        assert str(from_status.verbose_name) == "from status"


def test_stored_sentences_are_shown_translated_with_their_figures():
    with translation.override("zh-hans"):
        assert record_text("Risk score 40 (threshold 100).") == "风险评分 40（阈值 100）。"
        assert record_text(
            "Loan 3cc94baa-844d-441e-b280-f0ca17c380fc created; payout to 6222 **** 3446 requested."
        ) == ("已创建贷款 3cc94baa-844d-441e-b280-f0ca17c380fc，已发起向 6222 **** 3446 打款。")
        # What it does not know (a reviewer's own words) stays as written.
        assert record_text("Documents do not match.") == "Documents do not match."
    with translation.override("en"):
        assert record_text("Risk score 40 (threshold 100).") == "Risk score 40 (threshold 100)."
    for known in SENTENCES:
        with translation.override("en"):
            english = str(known.text)
        with translation.override("zh-hans"):
            assert str(known.text) != english, english
