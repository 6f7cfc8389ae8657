"""grant_use_record: only on a disbursed grant, by its managing unit, never beyond the balance."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.grants import services
from yizhan.grants.choices import EvidenceKind, GrantState, UsePurpose
from yizhan.grants.models import Grant, GrantUse
from yizhan.grants.tests.factories import GrantFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2022, 9, 1)


def use(actor, grant, **overrides):
    values = {"amount_fen": 120_000, "purpose": UsePurpose.UPGRADE, "used_on": DAY, "description": "更换空调一台"}
    values.update(overrides)
    return services.grant_use_record(actor=actor, grant=grant, **values)


def test_a_use_lowers_the_balance(zs, grant):
    recorded = use(zs, grant)
    grant.refresh_from_db()
    assert (recorded.amount_fen, grant.spent_fen, grant.balance_fen) == (120_000, 120_000, 380_000)
    assert recorded.recorded_by == zs.user.get_username()


def test_a_use_beyond_the_balance_is_refused_with_both_amounts(zs, grant):
    use(zs, grant, amount_fen=450_000)
    with pytest.raises(ApplicationError) as error:
        use(zs, grant, amount_fen=50_001)
    assert error.value.message == "使用金额 500.01 元超出余额：该资金剩余 500.00 元"
    assert error.value.field == "amount"
    grant.refresh_from_db()
    assert grant.spent_fen == 450_000 and GrantUse.objects.count() == 1
    use(zs, grant, amount_fen=50_000)  # exactly the balance is allowed
    grant.refresh_from_db()
    assert grant.balance_fen == 0


def test_not_disbursed_is_refused(zs, zs_station):
    awarded = GrantFactory(position=zs_station, state=GrantState.AWARDED, disbursed_on=None)
    with pytest.raises(ApplicationError) as error:
        use(zs, awarded)
    assert error.value.message == str(services.NOT_DISBURSED)


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"amount_fen": 0}, "金额应大于 0 元", "amount"),
        ({"purpose": "party"}, str(services.BAD_PURPOSE), "purpose"),
        ({"used_on": dt.date(2022, 8, 1)}, "使用日期不能早于拨付日期 2022-08-15", "used_on"),
        ({"description": "  "}, str(services.DESCRIPTION_REQUIRED), "description"),
        ({"description": "长" * 501}, str(services.DESCRIPTION_TOO_LONG), "description"),
    ],
)
def test_bad_uses_are_refused(zs, grant, overrides, message, field):
    with pytest.raises(ApplicationError) as error:
        use(zs, grant, **overrides)
    assert (error.value.message, error.value.field) == (message, field)
    assert not GrantUse.objects.exists()


def test_a_use_in_the_future_is_refused(zs, grant):
    with pytest.raises(ApplicationError) as error:
        use(zs, grant, used_on=timezone.localdate() + dt.timedelta(days=1))
    assert error.value.message == str(services.USE_IN_FUTURE)


def test_another_unit_cannot_see_the_grant(xg, grant):
    with pytest.raises(NotFoundError):
        use(xg, grant)


def test_the_federation_reads_but_does_not_record_uses(fed, grant):
    with pytest.raises(PermissionDeniedError):
        use(fed, grant)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.integers(min_value=1, max_value=300_000), min_size=1, max_size=8))
def test_the_balance_is_never_negative(dalian, make_actor, amounts):
    from yizhan.core.roles import Role

    actor = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    grant = GrantFactory(position__unit=dalian["zs"])
    accepted = 0
    for amount in amounts:
        try:
            use(actor, grant, amount_fen=amount)
            accepted += amount
        except ApplicationError as error:
            assert accepted + amount > 500_000, error.message
    grant.refresh_from_db()
    assert grant.spent_fen == accepted <= grant.amount_fen and grant.balance_fen >= 0


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_evidence_photo_and_pdf_accepted_other_refused(zs, grant):
    recorded = use(zs, grant)
    photo = services.grant_evidence_add(actor=zs, use=recorded, data=_png(), caption="空调")
    pdf = services.grant_evidence_add(actor=zs, use=recorded, data=b"%PDF-1.4\n%%EOF\n")
    assert (photo.kind, pdf.kind) == (EvidenceKind.PHOTO, EvidenceKind.PDF)
    assert photo.file.name.endswith(".jpg") and pdf.file.name.endswith(".pdf")
    with pytest.raises(ApplicationError) as error:
        services.grant_evidence_add(actor=zs, use=recorded, data=b"MZ\x90\x00 not a photo")
    assert error.value.message == str(services.EVIDENCE_NOT_ACCEPTED)
    with pytest.raises(ApplicationError) as error:
        services.grant_evidence_add(actor=zs, use=recorded, data=b"")
    assert error.value.message == str(services.EVIDENCE_EMPTY)
    assert recorded.evidence.count() == 2


def test_disburse_once(fed, zs_station):
    awarded = GrantFactory(position=zs_station, state=GrantState.AWARDED, disbursed_on=None)
    with pytest.raises(ApplicationError) as error:
        services.grant_disburse(actor=fed, grant=awarded, disbursed_on=dt.date(2022, 7, 1))
    assert error.value.message == "拨付日期不能早于核定日期 2022-08-01"
    done = services.grant_disburse(actor=fed, grant=awarded, disbursed_on=dt.date(2022, 8, 20), reference="DL-2022-08")
    assert (done.state, done.disbursed_on) == (GrantState.DISBURSED, dt.date(2022, 8, 20))
    with pytest.raises(ApplicationError) as error:
        services.grant_disburse(actor=fed, grant=awarded, disbursed_on=dt.date(2022, 8, 21))
    assert error.value.message == "该资金已于 2022-08-20 拨付，不能重复拨付"
    assert Grant.objects.get().disbursement_reference == "DL-2022-08"
