"""`yizhan ratings-review PERIOD --as USER [--confirm]` (issue 16 §3): the stations the delisting
rule of spec §4 removes at the end of PERIOD (a year by default): no star in two consecutive
periods. Lists them; with --confirm, delists them (all or none)."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.standards.assessments import ratings_review


class Command(BaseCommand):
    help = "List (and with --confirm delist) the stations the star-rating rules delist at the end of a period."

    def add_arguments(self, parser):
        parser.add_argument("period", type=int, help="the period, e.g. 2026")
        parser.add_argument("--as", dest="username", required=True, help="act as this user (first membership)")
        parser.add_argument("--confirm", action="store_true", help="delist them (without it, only list them)")

    def handle(self, *args, period, username, confirm, **options):
        try:
            with acting_as(username) as actor:
                due = ratings_review(actor=actor, period=period, confirm=confirm)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for entry in due:
            self.stdout.write(f"{entry.position.code} {entry.position.display_name}：{entry.reason}")
        if not due:
            self.stdout.write(f"{period} 年度评定后没有须摘牌的站点")
        elif confirm:
            self.stdout.write(f"已摘牌 {len(due)} 处")
        else:
            self.stdout.write(f"以上 {len(due)} 处将被摘牌；确认后加 --confirm 再运行一次")
