from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yizhan.core.backup import BackupError, backup_create, backup_verify


class Command(BaseCommand):
    help = (
        "Write a checksummed archive of the database and the uploaded files (consistent while the "
        "application serves), or check one with --verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", help="the archive to write (default: yizhan-backup-<time>.zip)")
        parser.add_argument("--verify", action="store_true", help="check ARCHIVE's checksums instead of writing one")

    def handle(self, *args, archive=None, verify=False, **options):
        try:
            if verify:
                if not archive:
                    raise CommandError("请给出要检查的备份文件")
                manifest = backup_verify(path=Path(archive))
                self.stdout.write(
                    self.style.SUCCESS(
                        f"备份完好：{archive}（{manifest.data['created_at']}，{manifest.data['engine']}，"
                        f"{len(manifest.tables)} 张表 {manifest.rows} 行，{len(manifest.media)} 个上传文件）"
                    )
                )
                return
            path = Path(archive or f"yizhan-backup-{timezone.now():%Y%m%d-%H%M%S}.zip")
            manifest = backup_create(path=path)
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已备份到 {path}：{len(manifest.tables)} 张表 {manifest.rows} 行，{len(manifest.media)} 个上传文件"
            )
        )
        for name in manifest.data["media_missing"]:
            self.stderr.write(f"注意：数据中引用的上传文件 {name} 在备份时已不存在")
