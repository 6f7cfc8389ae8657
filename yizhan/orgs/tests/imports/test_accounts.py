"""Accounts from xlsx (issue 14 §3): the security admin's alone; each new account gets a one-time
password it must change at the first login, returned once and stored nowhere in plain text; all or
nothing with errors by row and column; idempotent by username; the separation of the three admins;
a template from the importing federation; the result workbook; the command."""

import json
import os
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yizhan.core.audit import audit_verify
from yizhan.core.errors import PermissionDeniedError
from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.imports.accounts import COLUMNS, accounts_import, accounts_template, result_workbook
from yizhan.orgs.imports.units import COLUMNS as UNIT_COLUMNS
from yizhan.orgs.imports.units import units_import
from yizhan.orgs.models import Membership, User
from yizhan.orgs.tests.imports.conftest import sheet_rows, workbook

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]


@pytest.fixture
def security(zhengzhou, make_actor):
    return make_actor(Role.SECURITY_ADMIN, zhengzhou)


@pytest.fixture
def districts(zz_admin):
    rows = [
        ["ZZ-JS", "金水区总工会", "区总工会", "ZZ", "410105"],
        ["ZZ-EQ", "二七区总工会", "区总工会", "ZZ", "410103"],
    ]
    assert units_import(actor=zz_admin, file=workbook([c.header for c in UNIT_COLUMNS][:5], rows)).ok


ACCOUNTS = [
    ["zz_admin", "王总", "ZZ", "总工会管理员"],
    ["zz_auditor", "", "ZZ", "审计管理员"],
    ["js_admin", "李金水", "ZZ-JS", "单位管理员"],
    ["js_admin", "李金水", "ZZ-EQ", "unit_admin"],  # a second role for the same account; a value
]


def test_new_accounts_get_one_time_passwords_they_must_change(security, districts):
    result = accounts_import(actor=security, file=workbook(HEADERS, ACCOUNTS))
    assert result.ok, result.errors
    assert (result.total, result.created, result.granted, result.unchanged) == (4, 3, 1, 0)
    assert [a.username for a in result.opened] == ["zz_admin", "zz_auditor", "js_admin"]
    for account in result.opened:
        user = User.objects.get(username=account.username)
        assert user.must_change_password and user.check_password(account.password)
    assert User.objects.get(username="js_admin").full_name == "李金水"
    assert set(Membership.objects.filter(user__username="js_admin").values_list("unit__code", "role")) == {
        ("ZZ-JS", Role.UNIT_ADMIN),
        ("ZZ-EQ", Role.UNIT_ADMIN),
    }
    assert Membership.objects.get(user__username="zz_admin").granted_by == security.user
    snapshots = json.dumps(list(AuditEntry.objects.values_list("before", "after")), ensure_ascii=False)
    assert not any(account.password in snapshots for account in result.opened)
    assert [a.second_factor for a in result.opened] == [True, True, False]
    assert audit_verify().ok


def test_reimporting_opens_nothing_and_gives_no_new_passwords(security, districts):
    accounts_import(actor=security, file=workbook(HEADERS, ACCOUNTS))
    hashes = dict(User.objects.values_list("username", "password"))
    again = accounts_import(actor=security, file=workbook(HEADERS, ACCOUNTS))
    assert (again.created, again.granted, again.unchanged, again.opened) == (0, 0, 4, [])
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_every_error_is_named_and_nothing_is_written(security, districts, zhengzhou, make_unit):
    other = make_unit("city_federation", name="大连市总工会", code="DL")
    User.objects.create_user(username="dl_someone", password="Whatever-2026-x")
    Membership.objects.create(user=User.objects.get(username="dl_someone"), unit=other, role=Role.UNIT_ADMIN)
    rows = [
        ["ok_user", "", "ZZ-JS", "单位管理员"],  # 2: fine on its own
        ["bad name!", "", "ZZ-JS", "单位管理员"],  # 3
        ["u3", "", "NOPE", "单位管理员"],  # 4: unknown unit
        ["u4", "", "DL", "单位管理员"],  # 5: a unit of another federation
        ["u5", "", "ZZ-JS", "总工会管理员"],  # 6: federation admin below a federation
        ["u6", "", "ZZ", "站长长"],  # 7: unknown role
        ["ok_user", "", "ZZ-JS", "单位管理员"],  # 8: repeated
        ["dl_someone", "", "ZZ-JS", "单位管理员"],  # 9: someone else's account
        ["zz_security", "", "ZZ", "单位管理员"],  # 10: the security admin themselves... of another role
        ["sep", "", "ZZ", "审计管理员"],  # 11
        ["sep", "", "ZZ-JS", "单位管理员"],  # 12: 三员 hold no other role
        ["", "", "ZZ", "单位管理员"],  # 13: no username
    ]
    result = accounts_import(actor=security, file=workbook(HEADERS, rows))
    assert not result.ok and result.opened == [] and result.created == 0
    found = {(e.row, e.column) for e in result.errors}
    assert found >= {
        (3, "用户名"),
        (4, "单位代码"),
        (5, "单位代码"),
        (6, "角色"),
        (7, "角色"),
        (8, None),
        (9, "用户名"),
        (12, "角色"),
        (13, "用户名"),
    }
    assert 10 in {e.row for e in result.errors}
    assert 2 not in {e.row for e in result.errors}
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "大连" not in messages[(5, "单位代码")] and "已被使用" in messages[(9, "用户名")]
    assert not User.objects.filter(username__in=["ok_user", "sep"]).exists()


def test_only_the_security_admin_imports_accounts(zz_admin, zhengzhou, make_actor):
    for actor in (zz_admin, make_actor(Role.AUDITOR, zhengzhou), make_actor(Role.SYSTEM_ADMIN, zhengzhou)):
        with pytest.raises(PermissionDeniedError):
            accounts_import(actor=actor, file=workbook(HEADERS, ACCOUNTS))
        with pytest.raises(PermissionDeniedError):
            accounts_template(actor=actor)


def test_dry_run_writes_nothing_and_shows_no_password(security, districts):
    result = accounts_import(actor=security, file=workbook(HEADERS, ACCOUNTS), dry_run=True)
    assert result.ok and result.created == 3 and result.opened == []
    assert not User.objects.filter(username="zz_admin").exists()


def test_the_template_comes_from_the_importing_federation(security, districts):
    rows = sheet_rows(accounts_template(actor=security), "账号")
    assert rows[0] == tuple(HEADERS)
    assert [r[0] for r in rows[1:]] == ["zz_admin", "zz_sysadmin", "zz_auditor", "zz_js_admin", "zz_eq_admin"]
    assert rows[1][2:] == ("ZZ", "总工会管理员")
    result = accounts_import(actor=security, file=accounts_template(actor=security))
    assert result.ok and result.created == 5


def test_the_result_workbook_lists_the_passwords(security, districts):
    result = accounts_import(actor=security, file=workbook(HEADERS, ACCOUNTS))
    rows = sheet_rows(result_workbook(result.opened))
    assert rows[0] == ("用户名", "姓名", "单位代码", "单位", "角色", "一次性密码", "首次登录")
    assert rows[1][:6] == ("zz_admin", "王总", "ZZ", "郑州市总工会", "总工会管理员", result.opened[0].password)
    assert rows[1][6] == "修改密码并绑定身份验证器" and rows[3][6] == "修改密码"


def test_command_prints_or_writes_the_passwords_once(security, districts, tmp_path):
    source = tmp_path / "accounts.xlsx"
    source.write_bytes(workbook(HEADERS, ACCOUNTS[:2]))
    out = StringIO()
    call_command("import_accounts", str(source), "--as", security.user.username, stdout=out)
    printed = out.getvalue()
    assert "新开账号 2" in printed
    password = next(line.split("\t")[-1] for line in printed.splitlines() if line.strip().startswith("zz_admin"))
    assert User.objects.get(username="zz_admin").check_password(password)
    source.write_bytes(workbook(HEADERS, ACCOUNTS[2:]))
    result = tmp_path / "passwords.xlsx"
    out = StringIO()
    call_command("import_accounts", str(source), "--as", security.user.username, "--out", str(result), stdout=out)
    assert "js_admin" not in out.getvalue() and str(result) in out.getvalue()
    assert stat.S_IMODE(os.stat(result).st_mode) == 0o600
    rows = sheet_rows(result.read_bytes())
    assert rows[1][0] == "js_admin" and User.objects.get(username="js_admin").check_password(rows[1][5])
    template = tmp_path / "template.xlsx"
    call_command("import_accounts", "--template", str(template), "--as", security.user.username, stdout=StringIO())
    assert sheet_rows(template.read_bytes())[1][0] == "zz_admin"


def test_command_refuses_someone_without_the_role(zz_admin, tmp_path):
    source = tmp_path / "accounts.xlsx"
    source.write_bytes(workbook(HEADERS, ACCOUNTS))
    with pytest.raises(CommandError):
        call_command("import_accounts", str(source), "--as", zz_admin.user.username)
