"""`yizhan unit-area UNIT_CODE --name 郑东新区 (--geojson FILE [--crs wgs84] | --union CODE,CODE…)
--as USERNAME` (issue 14 §2): give a unit (a development zone, a new district) an area of its own,
or redraw the one it has."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.orgs import selectors, services


class Command(BaseCommand):
    help = "Set a unit's custom area from a GeoJSON file or as the union of listed areas."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="the unit's code")
        parser.add_argument("--name", required=True, help="the area's name, e.g. 郑东新区")
        parser.add_argument(
            "--geojson", metavar="FILE", help="a Polygon/MultiPolygon (geometry, Feature or collection)"
        )
        parser.add_argument("--crs", default="gcj02", choices=["gcj02", "wgs84", "bd09"], help="the file's system")
        parser.add_argument("--union", metavar="CODES", help="comma-separated codes of the areas it is made of")
        parser.add_argument("--as", dest="username", required=True, help="act as this user (first membership)")

    def handle(self, *args, unit, name, geojson, crs, union, username, **options):
        try:
            geometry = Path(geojson).read_text(encoding="utf-8") if geojson else None
        except (FileNotFoundError, UnicodeDecodeError) as error:
            raise CommandError(f"无法读取文件：{geojson}") from error
        members = [code for code in (union or "").replace("，", ",").split(",") if code.strip()]
        try:
            with acting_as(username) as actor:
                target = selectors.unit_by_code(actor=actor, code=unit)
                area, created = services.unit_area_set(
                    actor=actor, unit=target, name=name, geometry=geometry, crs=crs, members=members
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        verb = "已设定" if created else "已更新"
        self.stdout.write(self.style.SUCCESS(f"{verb}{target.name}的自定义区域：{area.name}（{area.adcode}）"))
