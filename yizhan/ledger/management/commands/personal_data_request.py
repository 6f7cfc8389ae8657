"""`yizhan personal-data-request --phone PHONE --as USERNAME (--export FILE.json | --erase)`: answer
a feedback submitter's request for a copy (PIPL art. 45) or the deletion (art. 47) of their data,
as that user (a federation or unit admin; their scope applies). Audited like the page."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError
from yizhan.core.scoping import Actor
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
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"找不到用户：{username}")
        membership = user.memberships.select_related("unit").order_by("pk").first()
        if membership is None:
            raise CommandError(f"用户 {username} 没有任何单位角色")
        actor = Actor(user=user, membership=membership)
        try:
            with audit_context(
                actor_id=user.pk,
                actor_name=f"命令行:{user.get_username()}",
                unit_path=membership.unit.path,
                unit_name=membership.unit.name,
            ):
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
