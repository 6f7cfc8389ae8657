"""The self-evaluation report as PDF: an A4 document built for a draft and a submitted report."""

import pytest

from yizhan.grants import services
from yizhan.grants.pdf import self_evaluation_pdf
from yizhan.grants.tests.factories import COMPLETE_REPORT, SelfEvaluationFactory

pytestmark = pytest.mark.django_db


def test_pdf_of_a_draft_and_a_submitted_report(dalian, zs, grant):
    report = SelfEvaluationFactory(unit=dalian["zs"])
    draft = self_evaluation_pdf(report)
    assert draft.startswith(b"%PDF-") and draft.rstrip().endswith(b"%%EOF")
    services.self_evaluation_save(actor=zs, report=report, **{**COMPLETE_REPORT, "problems": "<b>&</b>\n第二行"})
    submitted = services.self_evaluation_submit(actor=zs, report=report)
    data = self_evaluation_pdf(submitted)
    assert data.startswith(b"%PDF-") and b"STSong-Light" in data and len(data) > len(draft)
