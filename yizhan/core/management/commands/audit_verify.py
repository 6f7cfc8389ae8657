from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 and name the first broken entry if it does not hold."

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"审计链校验失败：第 {report.first_broken_seq} 条，{report.reason}（此前 {report.checked} 条完好）"
            )
        since = f"（第 {report.start_seq} 条及之前已按保存期限清理）" if report.start_seq else ""
        self.stdout.write(self.style.SUCCESS(f"审计链完好：共 {report.checked} 条{since}"))
