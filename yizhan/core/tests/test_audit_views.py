"""The audit log page: filters by day (inclusive), names object types, survives bad dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yizhan.core.audit import audit_record
from yizhan.core.models import AuditAction
from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(dalian, make_user, login):
    return login(make_user(Role.AUDITOR, dalian["city"]))


def test_until_includes_the_whole_day_and_labels_are_chinese(dalian, auditor):
    audit_record(action=AuditAction.UPDATE, obj=dalian["zs"], before={"name": "甲"}, after={"name": "乙"})
    today = timezone.localdate().isoformat()
    page = auditor.get("/staff/audit/", {"since": today, "until": today}).content.decode()
    assert "工会单位" in page  # orgs.unit shown by its Chinese name
    assert "中山区总工会" in page
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "中山区总工会" not in auditor.get("/staff/audit/", {"until": yesterday}).content.decode()


@pytest.mark.parametrize("bad", ["2026-02-30", "yesterday", "2026-13-01", "９９"])
def test_impossible_dates_are_ignored_not_a_500(auditor, bad):
    assert auditor.get("/staff/audit/", {"since": bad, "until": bad}).status_code == 200


def test_pages_keep_the_filters(dalian, auditor):
    for n in range(60):
        audit_record(action=AuditAction.UPDATE, obj=dalian["zs"], before={"name": f"甲{n}"}, after={"name": f"乙{n}"})
    first = auditor.get("/staff/audit/", {"action": AuditAction.UPDATE}).content.decode()
    assert "第 1 / 2 页" in first
    assert f'href="?action={AuditAction.UPDATE}&amp;page=2" rel="next"' in first
    second = auditor.get("/staff/audit/", {"action": AuditAction.UPDATE, "page": 2}).content.decode()
    assert "第 2 / 2 页" in second and 'rel="prev"' in second and 'rel="next"' not in second
