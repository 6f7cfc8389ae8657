"""`yizhan import-positions FILE.xlsx --as USERNAME [--dry-run]` (issue 3 §5): all or nothing."""

from django.core.management.base import BaseCommand

from yizhan.core.commands import acting_as, import_refusals, import_report
from yizhan.positions.imports.xlsx import positions_import

WARNING_PREFIX = "警告："


class Command(BaseCommand):
    help = (
        "Import positions from an xlsx workbook laid out as the template. All or nothing; idempotent by code. "
        "Every error of every row is listed; warnings (kept as the registry wrote them) never block."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx workbook (see the template on the import page)")
        parser.add_argument("--as", dest="username", required=True, help="import as this user (first membership)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, file, username, dry_run, **options):
        with import_refusals(file), acting_as(username) as actor:
            result = positions_import(actor=actor, file=file, dry_run=dry_run)
        import_report(self, result, warnings=[f"{WARNING_PREFIX}{warning}" for warning in result.warnings])
