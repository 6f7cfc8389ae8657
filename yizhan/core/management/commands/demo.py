from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from yizhan.core.audit import audit_context

# Each context adds its demo data here, in dependency order.
DEMO_LOADERS = [
    "yizhan.orgs.demo.load",
    "yizhan.positions.demo.load",
    "yizhan.coverage.demo.load",
    "yizhan.ledger.demo.load",
    "yizhan.standards.demo.load",
    "yizhan.publishing.demo.load",
    "yizhan.inspections.demo.load",
    "yizhan.campaigns.demo.load",
    "yizhan.grants.demo.load",
    "yizhan.projects.demo.load",
    "yizhan.campaigns.project_demo.load",  # Qingdao's yearly excellent-project selection (after its projects)
    "yizhan.centres.demo.load",
    "yizhan.targets.demo.load",
]
NATIONAL_LOADER = "yizhan.positions.demo.load_national"


class Command(BaseCommand):
    help = "Load the deterministic demo federation (大连市总工会) and demo accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--national",
            type=int,
            default=0,
            metavar="N",
            help="also generate N synthetic stations over China's cities, for benchmarks (additive, idempotent)",
        )

    def handle(self, *args, **options):
        lines = []
        with audit_context(actor_name="命令行:demo"):
            for path in DEMO_LOADERS:
                lines.extend(import_string(path)() or [])
            if options["national"] > 0:
                lines.extend(import_string(NATIONAL_LOADER)(options["national"]))
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {settings.YIZHAN_DEMO_PASSWORD}）："))
        for line in lines:
            self.stdout.write(line)
