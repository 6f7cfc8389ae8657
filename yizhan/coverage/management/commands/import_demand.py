"""`yizhan import-demand FILE --unit CODE [--crs wgs84] [--name N] [--cell 250] --as USER`: load
where outdoor workers are (xlsx, CSV or GeoJSON points with weights, or areas with a population
spread over cells of --cell metres) as a background job with its progress bar — the same job as
the 需求数据 page. All or nothing; exit 1 naming every bad row."""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.cli import follow
from yizhan.coverage.jobs import demand_import_start


class Command(BaseCommand):
    help = "Load a unit's demand (where outdoor workers are) from a file, as a background job."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file: .xlsx, .csv or .geojson")
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--crs", choices=["gcj02", "wgs84", "bd09"], default="gcj02")
        parser.add_argument("--name", default="", help="the set's name (default: the file's)")
        parser.add_argument("--cell", type=int, help="cell size in metres for areas (default 250)")
        parser.add_argument("--as", dest="username", required=True, help="the user the job runs for")
        parser.add_argument("--no-wait", action="store_true", help="print the job's number and return at once")

    def handle(self, *args, file, unit, crs, name, cell, username, no_wait, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}")
        with acting_as(username) as actor:
            try:
                with path.open("rb") as handle:
                    job = demand_import_start(
                        actor=actor, unit=unit, upload=File(handle, name=path.name), crs=crs, name=name, cell_m=cell
                    )
            except ApplicationError as error:
                raise CommandError(error.message) from error
            if no_wait:
                self.stdout.write(str(job.pk))
                return
            self.stdout.write(f"任务 #{job.pk} 已加入队列：{job.kind_label}")
            follow(job_id=job.pk, actor=actor, stdout=self.stdout)
