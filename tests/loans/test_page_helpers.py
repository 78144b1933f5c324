"""Helpers of the borrower pages: the short list of terms, the step indicator, the
refusal sentences."""

from django.template import Context, Template
from django.utils import translation

from loans.messages import refusal_reason
from loans.models import LoanProduct
from loans.views import usual_terms


def test_a_long_range_of_terms_becomes_a_short_list():
    bank = LoanProduct(term_min=12, term_max=360, allowed_terms=[])
    assert usual_terms(bank) == [12, 24, 36, 60, 120, 180, 240, 360]
    micro = LoanProduct(term_min=5, term_max=20, allowed_terms=[5, 10, 20])
    assert usual_terms(micro) == [5, 10, 20]
    odd = LoanProduct(term_min=13, term_max=35, allowed_terms=[])
    assert usual_terms(odd) == [24]


def test_the_step_indicator():
    template = Template('{% load steps %}{% steps "application" "face_check" %}')
    with translation.override("en"):
        html = template.render(Context())
    assert html.count('class="is-done"') == 2
    assert 'class="is-current" aria-current="step"' in html
    assert "Face check" in html
    skipped = Template('{% load steps %}{% steps "application" "paid_out" skip="face_check" %}')
    with translation.override("zh-hans"):
        html = skipped.render(Context())
    assert "人脸核验" not in html
    assert html.count("<li") == 3


def test_refusals_are_told_in_the_borrowers_words():
    with translation.override("zh-hans"):
        assert "人脸核验" in refusal_reason("face_check_failed")
        assert refusal_reason("something_new") == "该申请已被拒绝。"
