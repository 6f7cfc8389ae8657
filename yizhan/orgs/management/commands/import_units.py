"""`yizhan import-units FILE.xlsx --as USERNAME [--dry-run]` and `yizhan import-units --template
FILE.xlsx --as USERNAME` (issue 14 §3): the unit tree from xlsx, all or nothing, idempotent by code."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.orgs.imports.units import units_import, units_template


class Command(BaseCommand):
    help = "Import union units from an xlsx workbook laid out as the template (or write the template). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="xlsx workbook to import")
        parser.add_argument("--as", dest="username", required=True, help="import as this user (first membership)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--template", metavar="FILE", help="write the template, with example rows from this user's unit, to FILE"
        )

    def handle(self, *args, file, username, dry_run, template, **options):
        if bool(file) == bool(template):
            raise CommandError("请给出要导入的 xlsx 文件，或用 --template 文件名 生成模板")
        try:
            with acting_as(username) as actor:
                if template:
                    Path(template).write_bytes(units_template(actor=actor))
                    self.stdout.write(self.style.SUCCESS(f"模板已写入 {template}（示例行来自 {actor.unit.name}）"))
                    return
                result = units_import(actor=actor, file=file, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件：{file}") from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for problem in result.errors:
            self.stderr.write(str(problem))
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
