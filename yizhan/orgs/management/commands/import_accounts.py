"""`yizhan import-accounts FILE.xlsx --as SECURITY_ADMIN [--out PASSWORDS.xlsx] [--dry-run]` and
`yizhan import-accounts --template FILE.xlsx --as SECURITY_ADMIN` (issue 14 §3): accounts and roles
from xlsx, all or nothing, idempotent by username; each new account's one-time password is written
once, to --out (readable by its owner only) or else to the terminal."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as, import_refusals, import_report
from yizhan.orgs.imports.accounts import accounts_import, accounts_template, result_workbook


class Command(BaseCommand):
    help = (
        "Import accounts and roles from an xlsx workbook laid out as the template (security admin only), "
        "or write the template. All or nothing; new accounts get one-time passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="xlsx workbook to import")
        parser.add_argument("--as", dest="username", required=True, help="a security admin (first membership)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--out", metavar="FILE", help="write the new accounts' one-time passwords to this xlsx instead of printing"
        )
        parser.add_argument(
            "--template", metavar="FILE", help="write the template, with example rows from this user's unit, to FILE"
        )

    def handle(self, *args, file, username, dry_run, out, template, **options):
        if bool(file) == bool(template):
            raise CommandError("请给出要导入的 xlsx 文件，或用 --template 文件名 生成模板")
        with import_refusals(file), acting_as(username) as actor:
            if template:
                Path(template).write_bytes(accounts_template(actor=actor))
                self.stdout.write(self.style.SUCCESS(f"模板已写入 {template}（示例行来自 {actor.unit.name}）"))
                return
            result = accounts_import(actor=actor, file=file, dry_run=dry_run)
        import_report(self, result)
        if not result.opened:
            return
        if out:
            # Created readable by this user alone before a password is written into it.
            descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(result_workbook(result.opened))
            self.stdout.write(f"新账号的一次性密码已写入 {out}（只此一份；首次登录须修改密码）")
            return
        self.stdout.write("新账号的一次性密码（只显示这一次；首次登录须修改密码）：")
        for account in result.opened:
            self.stdout.write(f"  {account.username}\t{account.role_label}\t{account.unit_name}\t{account.password}")
