"""`yizhan audit-export --from DATE --to DATE --out FILE.zip`: the signed export of every audit
entry written on those days (issue 5 §3; see `core/audit_export.py` for the format)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from yizhan.core.audit_export import audit_export
from yizhan.core.errors import ApplicationError


def _day(text: str):
    try:
        return parse_date(text)
    except ValueError:
        return None


class Command(BaseCommand):
    help = "Export the audit entries of a date range (inclusive, Asia/Shanghai) as a signed zip."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="since", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="until", required=True, help="last day, YYYY-MM-DD (included)")
        parser.add_argument("--out", required=True, help="the zip file to write")

    def handle(self, *args, since, until, out, **options):
        path = Path(out)
        try:
            with path.open("wb") as file:
                manifest = audit_export(actor=None, since=_day(since), until=_day(until), out=file)
        except ApplicationError as error:
            path.unlink(missing_ok=True)
            raise CommandError(error.message) from error
        except OSError as error:
            raise CommandError(f"无法写入文件：{out}（{error.strerror}）") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {manifest['count']} 条审计日志到 {out}（签名 {manifest['signature']['value'][:16]}…）"
            )
        )
