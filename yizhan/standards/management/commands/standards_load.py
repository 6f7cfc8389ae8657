"""`yizhan standards-load UNIT_CODE`: version 1 of each shipped standard (spec §3: 九有, 八有, 六有,
facilities, centre floor areas, centre service items) for a federation, published.
`federation-create` already loads them for a top-level federation; this gives them to one that
lacks them (a city federation below a province). Run again, it leaves the standards the federation
has alone."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.audit import audit_context
from yizhan.orgs.choices import FEDERATION_TYPES
from yizhan.orgs.models import Unit
from yizhan.standards.services import standard_defaults_load


class Command(BaseCommand):
    help = "Load the shipped standards (spec §3) for a federation, as published version 1 (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="the federation's unit code")

    def handle(self, *args, unit, **options):
        federation = Unit.objects.filter(code=unit).first()
        if federation is None or federation.type not in FEDERATION_TYPES:
            raise CommandError(f"没有代码为 {unit} 的总工会")
        with audit_context(actor_name="命令行:standards-load"):
            created = standard_defaults_load(unit=federation)
        self.stdout.write(
            f"新增标准 {len(created)} 项：" + "、".join(s.name for s in created)
            if created
            else "标准均已存在，未作改动"
        )
