"""What the import commands (import_units, import_accounts, import_positions) share through
core.commands: a missing file or a refused one is the command's error in Chinese; every row's error
and warning goes to stderr; the summary to stdout, or as the error when any row was refused."""

from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import BaseCommand

from yizhan.core.commands import FILE_NOT_FOUND, import_refusals, import_report
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("command", "role"),
    [
        ("import_units", Role.FEDERATION_ADMIN),
        ("import_accounts", Role.SECURITY_ADMIN),
        ("import_positions", Role.FEDERATION_ADMIN),
    ],
)
def test_a_missing_file_is_the_commands_error(dalian, make_user, tmp_path, command, role):
    user = make_user(role, dalian["city"])
    missing = tmp_path / "missing.xlsx"
    with pytest.raises(CommandError) as refused:
        call_command(command, str(missing), "--as", user.username)
    assert str(refused.value) == FILE_NOT_FOUND.format(file=missing)


def test_an_application_error_is_the_commands_error_in_its_words():
    with pytest.raises(CommandError, match="^文件不是 Excel 工作簿$"), import_refusals("x.xlsx"):
        raise ApplicationError("文件不是 Excel 工作簿")


@dataclass
class _Result:
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return f"共 2 行，错误 {len(self.errors)}"


def _command() -> BaseCommand:
    return BaseCommand(stdout=StringIO(), stderr=StringIO())


def test_the_report_of_an_import_that_went_through():
    command = _command()
    import_report(command, _Result(), warnings=["警告：第 2 行坐标偏移"])
    assert command.stdout.getvalue() == "共 2 行，错误 0\n"
    assert command.stderr.getvalue() == "警告：第 2 行坐标偏移\n"


def test_the_report_of_a_refused_import_lists_every_row_and_raises_the_summary():
    command = _command()
    with pytest.raises(CommandError, match="^共 2 行，错误 2$"):
        import_report(command, _Result(errors=["第 2 行：缺少名称", "第 3 行：代码重复"]), warnings=["警告：x"])
    assert command.stderr.getvalue() == "第 2 行：缺少名称\n第 3 行：代码重复\n警告：x\n"
    assert command.stdout.getvalue() == ""
