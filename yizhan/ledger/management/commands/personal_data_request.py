"""`yizhan personal-data-request --phone PHONE --as USERNAME (--export FILE.json | --erase)`: answer
a feedback submitter's request for a copy (PIPL art. 45) or the deletion (art. 47) of their data,
as that user (a federation or unit admin; their scope applies). Audited like the page."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.ledger.services import feedback_subject_erase, feedback_subject_export


class Command(BaseCommand):
    help = "Export or erase the personal data of a feedback submitter, found by their phone."

    def add_arguments(self, parser):
        parser.add_argument("--phone", required=True, help="the phone the submitter gave")
        parser.add_argument("--as", dest="username", required=True, help="act as this user (first membership)")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--export", metavar="FILE", help="write their data as JSON to FILE")
        what.add_argument("--erase", action="store_true", help="remove their phone, address key and texts")

    def handle(self, *args, phone, username, export, erase, **options):
        try:
            with acting_as(username) as actor:
                if erase:
                    count = feedback_subject_erase(actor=actor, phone=phone)
                    self.stdout.write(self.style.SUCCESS(f"已删除该提交人的个人信息：{count} 条意见"))
                    return
                result = feedback_subject_export(actor=actor, phone=phone)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        try:
            Path(export).write_bytes(result.content)
        except OSError as error:
            raise CommandError(f"无法写入文件：{export}（{error.strerror}）") from error
        self.stdout.write(self.style.SUCCESS(f"已导出 {result.count} 条意见到 {export}"))
