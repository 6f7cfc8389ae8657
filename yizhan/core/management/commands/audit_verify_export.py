"""`yizhan audit-verify-export FILE.zip`: check a signed audit export (signature, file digests,
every entry's hash and the links between consecutive entries); exits 1 listing the problems."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit_export import audit_export_verify


class Command(BaseCommand):
    help = "Verify an audit export written by `yizhan audit-export` or the audit log page."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export zip")

    def handle(self, *args, file, **options):
        try:
            report = audit_export_verify(file)
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件：{file}") from error
        if not report.ok:
            raise CommandError("审计导出校验失败：\n" + "\n".join(f"- {p}" for p in report.problems))
        manifest = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"审计导出完好：{manifest['from']}～{manifest['to']}，{report.checked} 条，签名与文件摘要一致"
            )
        )
