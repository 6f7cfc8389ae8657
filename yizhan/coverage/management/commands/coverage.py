"""`yizhan coverage --unit CODE [--reach straight|network] [--at 04:00] --as USER`: start a coverage
run as a background job (the same job as the 覆盖分析 page and POST /api/v1/coverage/runs) and show
its progress until it ends; exit 1 with the reason when it fails or is cancelled."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.cli import start_and_follow
from yizhan.coverage.jobs import COVERAGE_RUN


class Command(BaseCommand):
    help = "Start a coverage run for a unit as a background job and show its progress."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--reach", choices=["straight", "network"], default="straight")
        parser.add_argument("--at", default="", help="count only stations open at this time, e.g. 04:00")
        parser.add_argument("--walk", type=float, help="walking distance in metres (default 1250)")
        parser.add_argument("--as", dest="username", required=True, help="the user the job runs for")
        parser.add_argument("--no-wait", action="store_true", help="print the job's number and return at once")

    def handle(self, *args, unit, reach, at, walk, username, no_wait, **options):
        params = {"unit": unit, "reach": reach, "at": at}
        if walk is not None:
            params["walk_m"] = walk
        with acting_as(username) as actor:
            try:
                start_and_follow(actor=actor, kind=COVERAGE_RUN, params=params, stdout=self.stdout, wait=not no_wait)
            except ApplicationError as error:
                raise CommandError(error.message) from error
