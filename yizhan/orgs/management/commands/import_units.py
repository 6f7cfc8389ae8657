"""`yizhan import-units FILE.xlsx --as USERNAME [--dry-run]` and `yizhan import-units --template
FILE.xlsx --as USERNAME` (issue 14 §3): the unit tree from xlsx, all or nothing, idempotent by code."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as, import_refusals, import_report
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
        with import_refusals(file), acting_as(username) as actor:
            if template:
                Path(template).write_bytes(units_template(actor=actor))
                self.stdout.write(self.style.SUCCESS(f"模板已写入 {template}（示例行来自 {actor.unit.name}）"))
                return
            result = units_import(actor=actor, file=file, dry_run=dry_run)
        import_report(self, result)
