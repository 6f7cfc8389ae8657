from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore an archive written by `yizhan backup` into an empty, migrated instance (all or "
        "nothing), then check every table's rows and every file against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--check", action="store_true", help="only check the archive, restore nothing")
        parser.add_argument(
            "--force", action="store_true", help="restore into an instance that has data: every row is deleted first"
        )

    def handle(self, *args, archive, check=False, force=False, **options):
        try:
            if check:
                manifest = backup_verify(path=Path(archive))
                self.stdout.write(self.style.SUCCESS(f"备份完好：{len(manifest.tables)} 张表 {manifest.rows} 行"))
                return
            report = backup_restore(path=Path(archive), force=force)
        except BackupError as error:
            raise CommandError(error.message) from None
        for table, rows in sorted(report.tables.items()):
            if rows:
                self.stdout.write(f"  {table}: {rows}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {len(report.tables)} 张表 {report.rows} 行、{report.files} 个上传文件"
                f"（{report.file_bytes} 字节），行数与校验和均与备份清单一致"
            )
        )
