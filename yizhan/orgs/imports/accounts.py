"""Import accounts from xlsx (issue 14 §3): one row per account and role (username, name, unit code,
role), the security admin's alone (三员分立: accounts and roles are theirs, spec §1).

All or nothing, inside one transaction, through the services of the accounts page
(`account_create`, `membership_grant`: scope, the separation of the three admins, roles held only
at a federation). Every new account gets a one-time password (`services.one_time_password`) that
its holder must change at the first login; the passwords are returned once, for the page to show
and for a result workbook, and are stored nowhere in plain text. Idempotent by username: an account
that already holds the row's role at the row's unit is left alone; one that does not is granted it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font

from yizhan.core.errors import ApplicationError, NotFoundError
from yizhan.core.exports import safe_cell
from yizhan.core.roles import Action, Role
from yizhan.core.scoping import Actor, require
from yizhan.orgs import selectors, services
from yizhan.orgs.accounts.twofactor import TWO_FACTOR_ROLES
from yizhan.orgs.choices import FEDERATION_TYPES
from yizhan.orgs.imports.sheets import (
    Column,
    Rollback,
    SheetImportResult,
    SheetRow,
    read_rows,
    row_error,
    template_workbook,
)
from yizhan.orgs.models import Membership, Unit, User

SHEET_TITLE = "账号"
RESULT_SHEET_TITLE = "一次性密码"
USERNAME_PATTERN = r"^[\w.@+-]{1,150}$"

BAD_USERNAME = _("用户名只能由字母、数字和 @ . + - _ 组成，最长 150 个字符")
UNIT_UNKNOWN = _("单位代码“{code}”不存在或不在您的管辖范围内")
ROW_REPEATED = _("与第 {row} 行重复（同一用户名、单位和角色）")

COLUMNS = (
    Column("username", "用户名", required=True, text=True, help="登录用的名称：字母、数字和 @ . + - _"),
    Column("full_name", "姓名", help="新账号的姓名；已有账号的姓名不变"),
    Column("unit", "单位代码", required=True, text=True, help="账号所属单位的代码，如 ZZ 或 ZZ-JS"),
    Column("role", "角色", required=True, choices=tuple(Role.choices), help="总工会管理员只能设在省、市总工会"),
)
BY_FIELD = {column.field: column for column in COLUMNS}
RULES = [
    "只有安全管理员可以导入账号（三员分立）。",
    "整个文件全部通过校验才会写入；任何一行有错则什么都不写入，并列出全部错误（行号和列名）。",
    "每个新账号获得一个一次性密码，只在导入结果中显示一次（并可下载一次结果文件）；首次登录须修改密码。",
    "总工会管理员、系统管理员、安全管理员、审计管理员首次登录时还须绑定身份验证器（双因素验证）。",
    "按“用户名”识别：已有账号已有该单位的该角色则不变；没有则授予该角色。同一用户名可占多行（多个角色）。",
    "系统管理员、安全管理员、审计管理员不能兼任其他角色。",
]


@dataclass
class OpenedAccount:
    """A new account and its one-time password (shown once)."""

    row: int
    username: str
    full_name: str
    unit_code: str
    unit_name: str
    role: str
    password: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    @property
    def second_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES


@dataclass
class AccountImportResult(SheetImportResult):
    COUNTS = (("created", "新开账号"), ("granted", "授予角色"), ("unchanged", "未变"))

    created: int = 0
    granted: int = 0
    unchanged: int = 0
    opened: list[OpenedAccount] = field(default_factory=list)


def accounts_import(*, actor: Actor, file, dry_run: bool = False) -> AccountImportResult:
    """Import the account rows of `file` as `actor` (a security admin); all or nothing. The result
    holds each new account's one-time password, nowhere else kept."""
    require(actor, Action.CREATE, Membership)
    rows = read_rows(file, sheet_title=SHEET_TITLE, columns=COLUMNS)
    result = AccountImportResult(total=len(rows), dry_run=dry_run)
    units = {u.code: u for u in Unit.objects.all()}
    seen: dict[tuple[str, str, str], int] = {}
    try:
        with transaction.atomic():
            for row in rows:
                if not row.errors:
                    _apply(actor, row, result, units=units, seen=seen)
            result.errors = sorted((e for row in rows for e in row.errors), key=lambda e: (e.row, e.column or ""))
            if result.errors or dry_run:
                raise Rollback
    except Rollback:
        if result.errors:
            result.created = result.granted = result.unchanged = 0
        result.opened = []  # nothing was written: no password is valid
    return result


def _apply(actor: Actor, row: SheetRow, result: AccountImportResult, *, units, seen) -> None:
    values = row.values
    username, role, unit_code = values["username"], values["role"], values["unit"]
    if not re.match(USERNAME_PATTERN, username):
        row.errors.append(row_error(row, "username", BAD_USERNAME, by_field=BY_FIELD))
        return
    unit = units.get(unit_code)
    if unit is None or not actor.covers_unit(unit):
        row.errors.append(row_error(row, "unit", UNIT_UNKNOWN.format(code=unit_code), by_field=BY_FIELD))
        return
    key = (username, unit_code, role)
    if key in seen:
        row.errors.append(row_error(row, None, ROW_REPEATED.format(row=seen[key]), by_field=BY_FIELD))
        return
    seen[key] = row.number
    try:
        with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
            user = User.objects.filter(username=username).first()
            if user is None:
                password = services.one_time_password()
                services.account_create(
                    actor=actor,
                    username=username,
                    password=password,
                    unit=unit,
                    role=role,
                    full_name=values.get("full_name", ""),
                )
                result.created += 1
                result.opened.append(
                    OpenedAccount(
                        row.number, username, values.get("full_name", ""), unit.code, unit.name, role, password
                    )
                )
                return
            try:
                user = selectors.user_by_username(actor=actor, username=username)
            except NotFoundError:
                # Someone else's account: taken, without a word on whose (spec §1).
                raise ApplicationError(services.USERNAME_TAKEN.format(username=username), field="username") from None
            if Membership.objects.filter(user=user, unit=unit, role=role).exists():
                result.unchanged += 1
                return
            services.membership_grant(actor=actor, user=user, unit=unit, role=role)
            result.granted += 1
    except ApplicationError as error:
        row.errors.append(row_error(row, error.field, error.message, by_field=BY_FIELD))


# --- Templates and the result ----------------------------------------------------------------------


def _username(code: str, suffix: str) -> str:
    return f"{code.lower().replace('-', '_')}_{suffix}"


def template_rows(*, actor: Actor) -> list[list]:
    """Example rows from the actor's own federation, not the demo's: its federation admin and the
    other two separated admins, and a unit admin for each of its first units below."""
    unit = Unit.objects.get(pk=actor.unit.pk)
    rows = []
    if unit.type in FEDERATION_TYPES:
        rows.append([_username(unit.code, "admin"), "", unit.code, Role.FEDERATION_ADMIN.label])
    for role, suffix in ((Role.SYSTEM_ADMIN, "sysadmin"), (Role.AUDITOR, "auditor")):
        rows.append([_username(unit.code, suffix), "", unit.code, role.label])
    for child in Unit.objects.get_children(unit)[:3]:
        rows.append([_username(child.code, "admin"), "", child.code, Role.UNIT_ADMIN.label])
    return rows


def accounts_template(*, actor: Actor) -> bytes:
    require(actor, Action.CREATE, Membership)
    return template_workbook(sheet_title=SHEET_TITLE, columns=COLUMNS, rows=template_rows(actor=actor), rules=RULES)


RESULT_HEADERS = ["用户名", "姓名", "单位代码", "单位", "角色", "一次性密码", "首次登录"]


def result_workbook(opened: list[OpenedAccount]) -> bytes:
    """The new accounts and their one-time passwords, for the security admin to hand out."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = RESULT_SHEET_TITLE
    sheet.append(RESULT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for account in opened:
        first_login = "修改密码并绑定身份验证器" if account.second_factor else "修改密码"
        sheet.append(
            [
                safe_cell(value)
                for value in (
                    account.username,
                    account.full_name,
                    account.unit_code,
                    account.unit_name,
                    account.role_label,
                    account.password,
                    first_login,
                )
            ]
        )
    for letter, width in zip("ABCDEFG", (18, 10, 14, 28, 14, 24, 26), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
