"""`yizhan import-candidates FILE --unit CODE [--partners] [--crs wgs84] [--name N] --as USER`:
load candidate sites (xlsx, CSV or GeoJSON; co-building partners' branches with --partners), as the
候选点 page does: every bad row named, nothing written unless every row is right. Prints the new
set's number, which `yizhan site-plan --candidates N` takes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.coverage.choices import CandidateSource
from yizhan.coverage.jobs import unit_param
from yizhan.coverage.services import candidate_set_import


class Command(BaseCommand):
    help = "Load candidate sites for siting from an xlsx, CSV or GeoJSON file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file: .xlsx, .csv or .geojson")
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--partners", action="store_true", help="co-building partners' branches (names required)")
        parser.add_argument("--crs", choices=["gcj02", "wgs84", "bd09"], default="gcj02")
        parser.add_argument("--name", default="", help="the set's name (default: the file's)")
        parser.add_argument("--as", dest="username", required=True, help="the user who loads it")

    def handle(self, *args, file, unit, partners, crs, name, username, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        with acting_as(username) as actor:
            try:
                candidates = candidate_set_import(
                    actor=actor,
                    unit=unit_param(actor, {"unit": unit}),
                    file_name=path.name,
                    content=path.read_bytes(),
                    crs=crs,
                    name=name,
                    source=CandidateSource.PARTNERS if partners else CandidateSource.UPLOAD,
                )
            except ApplicationError as error:
                rows = error.extra.get("errors")
                raise CommandError("\n".join(["文件未导入，没有写入任何候选点：", *rows]) if rows else error.message)
        self.stdout.write(f"已导入候选点“{candidates.name}”：{candidates.sites} 个（候选点集 #{candidates.pk}）")
