"""`yizhan audit-purge --before DATE`: delete the audit entries written before that day, which must
lie outside the retention period (`YIZHAN_AUDIT_RETENTION_DAYS`, at least 180 days). The chain
still verifies from the anchor the purge leaves; the purge is itself an audit entry."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from yizhan.core.audit_retention import audit_purge, latest_purgeable_day
from yizhan.core.errors import ApplicationError

DATE_INVALID = "日期格式应为 YYYY-MM-DD，例如 {example}"


class Command(BaseCommand):
    help = "Purge audit entries older than the retention period, keeping the remaining chain verifiable."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="purge entries written before this day (YYYY-MM-DD)")

    def handle(self, *args, before, **options):
        try:
            day = parse_date(before)
        except ValueError:
            day = None
        if day is None:
            raise CommandError(DATE_INVALID.format(example=latest_purgeable_day().isoformat()))
        try:
            result = audit_purge(before=day)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if not result.purged:
            self.stdout.write(f"{day} 之前没有可清理的审计日志")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"已清理 {result.purged} 条审计日志（至第 {result.through_seq} 条），"
                f"清理记录为第 {result.entry.seq} 条；剩余日志从锚点起仍可校验"
            )
        )
