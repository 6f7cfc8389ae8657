"""`yizhan import-positions FILE.xlsx --as USERNAME [--dry-run]` (issue 3 §5): all or nothing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit import audit_context
from yizhan.core.errors import ApplicationError
from yizhan.core.scoping import Actor
from yizhan.positions.imports import positions_import


class Command(BaseCommand):
    help = "Import positions from an xlsx workbook laid out as the template. All or nothing; idempotent by code."

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx workbook (see the template on the import page)")
        parser.add_argument("--as", dest="username", required=True, help="import as this user (first membership)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, file, username, dry_run, **options):
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
                result = positions_import(actor=actor, file=file, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件：{file}") from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for problem in result.errors:
            self.stderr.write(str(problem))
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
