"""`yizhan spot-check-draw UNIT… --as USER (--size N | --rate R) [--seed S] [--days 90]
[--include-recent] [--standard nine-haves] [--ends-on DATE]` (issue 16 §4): a random spot check
over the units given (one stratum each), recorded with its seed; the same seed over the same
eligible positions draws the same ones. Prints the positions drawn."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.inspections.services import spot_check_draw
from yizhan.orgs.models import Unit
from yizhan.standards.choices import VersionState
from yizhan.standards.models import StandardVersion

NO_UNIT = "找不到单位：{code}"
NO_STANDARD = "找不到适用的现行标准：{code}"


class Command(BaseCommand):
    help = "Draw positions for a random spot check, stratified by the units given, reproducibly from a seed."

    def add_arguments(self, parser):
        parser.add_argument("units", nargs="+", help="unit codes, one stratum each (e.g. DL-ZS DL-XG)")
        parser.add_argument("--as", dest="username", required=True, help="act as this user (first membership)")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--size", type=int, help="how many positions to draw")
        group.add_argument("--rate", help="the share of the eligible positions to draw, e.g. 0.1")
        parser.add_argument("--seed", type=int, help="the seed (a new one is made and printed when left out)")
        parser.add_argument("--days", type=int, default=90, help="leave out positions inspected in these days")
        parser.add_argument("--include-recent", action="store_true", help="do not leave recently inspected ones out")
        parser.add_argument("--standard", default="nine-haves", help="the standard's code (its published version)")
        parser.add_argument("--ends-on", type=date.fromisoformat, help="the inspections' deadline (default +30 days)")

    def handle(self, *args, units, username, size, rate, seed, days, include_recent, standard, ends_on, **options):
        try:
            with acting_as(username) as actor:
                chosen = []
                for code in units:
                    unit = Unit.objects.filter(code=code).first()
                    if unit is None:
                        raise CommandError(NO_UNIT.format(code=code))
                    chosen.append(unit)
                paths = [actor.unit.path[:i] for i in range(Unit.steplen, len(actor.unit.path) + 1, Unit.steplen)]
                version = (
                    StandardVersion.objects.filter(
                        standard__code=standard, state=VersionState.PUBLISHED, standard__unit__path__in=paths
                    )
                    .order_by("-standard__unit__depth")
                    .first()
                )
                if version is None:
                    raise CommandError(NO_STANDARD.format(code=standard))
                record = spot_check_draw(
                    actor=actor,
                    units=chosen,
                    version=version,
                    ends_on=ends_on or timezone.localdate() + timedelta(days=30),
                    size=size,
                    rate=rate,
                    seed=seed,
                    recent_days=days,
                    include_recent=include_recent,
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"随机抽查 #{record.pk}：随机种子 {record.seed}，符合条件 {record.eligible} 处，抽中 {record.picked} 处"
        )
        for inspection in record.inspections.select_related("position__unit").order_by("position__unit__path", "pk"):
            position = inspection.position
            self.stdout.write(
                f"  {position.unit.name} {position.code} {position.display_name}（检查 #{inspection.pk}）"
            )
