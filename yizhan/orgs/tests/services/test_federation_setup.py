"""federation_setup / security_admin_open / one_time_password (issue 14 §1): a federation from its
adcode, with its areas and a first security admin who must change the one-time password and enrol
a second factor at the first login; the command that runs it."""

import json
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from yizhan.core.audit import audit_verify
from yizhan.core.errors import ApplicationError
from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs import services
from yizhan.orgs.accounts.twofactor import two_factor_required
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Membership, Region, Unit, User

pytestmark = pytest.mark.django_db


def test_one_time_passwords_meet_the_rules_and_differ():
    passwords = {services.one_time_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:10]:
        validate_password(password)  # raises if a rule refuses it
        assert len(password) == 19 and password.count("-") == 3


def test_a_city_federation_from_its_adcode():
    setup = services.federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="zz_security")
    unit = setup.unit
    assert (unit.code, unit.name, unit.type, unit.region.adcode, unit.is_root()) == (
        "ZZ", "郑州市总工会", UnitType.CITY_FEDERATION, "410100", True
    )  # fmt: skip
    assert setup.regions.created == 13 and Region.objects.filter(parent__adcode="410100").count() == 12
    admin = setup.security_admin
    assert admin.username == "zz_security" and admin.must_change_password
    assert admin.check_password(setup.password)
    assert list(Membership.objects.filter(user=admin).values_list("unit__code", "role")) == [
        ("ZZ", Role.SECURITY_ADMIN)
    ]
    assert two_factor_required(admin)  # the middleware sends the first login to enrolment
    assert setup.password not in json.dumps(list(AuditEntry.objects.values_list("before", "after")), ensure_ascii=False)
    assert audit_verify().ok


def test_a_provincial_federation_and_a_city_below_it():
    province = services.federation_setup(code="HN", name="河南省总工会", adcode="410000", security_admin="hn_sec")
    assert province.unit.type == UnitType.PROVINCIAL_FEDERATION
    assert Region.objects.filter(adcode="410300").exists()  # the province's cities came with it
    city = services.federation_setup(
        code="LY", name="洛阳市总工会", adcode="410300", security_admin="ly_sec", parent_code="HN"
    )
    assert city.regions.created == 0  # already loaded with the province
    assert city.unit.type == UnitType.CITY_FEDERATION
    assert Unit.objects.get_parent(city.unit).code == "HN"


def test_nothing_is_written_when_a_step_is_refused(make_user, regions):
    User.objects.create_user(username="taken", password="Whatever-2026-x")
    with pytest.raises(ApplicationError) as caught:
        services.federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="taken")
    assert caught.value.field == "username"
    assert not Unit.objects.filter(code="ZZ").exists()
    assert not Region.objects.filter(adcode="410100").exists()


def test_an_unknown_parent_or_adcode_is_refused():
    with pytest.raises(ApplicationError, match="HN"):
        services.federation_setup(code="LY", name="洛阳市总工会", adcode="410300", security_admin="x", parent_code="HN")
    with pytest.raises(ApplicationError, match="123456"):
        services.federation_setup(code="LY", name="洛阳市总工会", adcode="123456", security_admin="x")


def test_the_code_of_an_existing_unit_is_refused():
    services.federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="zz_security")
    with pytest.raises(ApplicationError, match="ZZ"):
        services.federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="other")
    assert not User.objects.filter(username="other").exists()


def test_command_prints_the_one_time_password_once():
    out = StringIO()
    call_command("federation_create", "--name", "郑州市总工会", "--code", "ZZ", "--adcode", "410100", stdout=out)
    text = out.getvalue()
    assert "郑州市总工会" in text and "zz_security" in text and "新增 13" in text
    password = next(line.split("：", 1)[1] for line in text.splitlines() if line.startswith("一次性密码"))
    assert User.objects.get(username="zz_security").check_password(password.strip())
    assert AuditEntry.objects.filter(actor_name="命令行:federation-create").exists()


def test_command_refuses_with_the_reason():
    with pytest.raises(CommandError, match="999999"):
        call_command("federation_create", "--name", "某市总工会", "--code", "X", "--adcode", "999999")
