from django.core.management.base import BaseCommand, CommandError

from yizhan.core.errors import ApplicationError
from yizhan.orgs.imports.regions import RegionImportError, region_import


class Command(BaseCommand):
    help = "Import administrative areas (adcode, name, level; GCJ-02 boundaries) from a GeoJSON file. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection")

    def handle(self, *args, file, **options):
        try:
            result = region_import(file)
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件：{file}") from error
        except RegionImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(error.message) from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for note in result.repaired:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(
            self.style.SUCCESS(f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
        )
