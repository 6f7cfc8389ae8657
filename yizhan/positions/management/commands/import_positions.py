"""`yizhan import-positions FILE.xlsx --as USERNAME [--dry-run]` (issue 3 §5): all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
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
        try:
            with acting_as(username) as actor:
                result = positions_import(actor=actor, file=file, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件：{file}") from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for problem in result.errors:
            self.stderr.write(str(problem))
        for warning in result.warnings:
            self.stderr.write(f"{WARNING_PREFIX}{warning}")
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
