"""`yizhan site-plan --unit CODE --k 10 [--radius 960] [--target 0.9] --as USER`: start a siting
run as a background job (the same job as the 选址 page and POST /api/v1/coverage/siting) and show
its progress until it ends; exit 1 with the reason when it fails or is cancelled."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.cli import start_and_follow
from yizhan.coverage.jobs import SITING_RUN


class Command(BaseCommand):
    help = "Choose new station sites for a unit (a background job) and show its progress."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--k", type=int, help="how many new sites (maximal covering)")
        parser.add_argument("--target", type=float, help="coverage to reach, 0-1 (fewest sites; without --k)")
        parser.add_argument("--radius", type=float, help="service radius in metres (straight line; default 960)")
        parser.add_argument("--reach", choices=["straight", "network"], default="straight")
        parser.add_argument("--candidates", default="", help="a candidate set's number, or 'grid'")
        parser.add_argument("--greedy-only", action="store_true", help="skip the exact solver")
        parser.add_argument("--as", dest="username", required=True, help="the user the job runs for")
        parser.add_argument("--no-wait", action="store_true", help="print the job's number and return at once")

    def handle(self, *args, unit, k, target, radius, reach, candidates, greedy_only, username, no_wait, **options):
        params = {"unit": unit, "reach": reach, "candidates": candidates, "exact": not greedy_only}
        for name, value in (("k", k), ("target", target), ("radius", radius)):
            if value is not None:
                params[name] = value
        with acting_as(username) as actor:
            try:
                start_and_follow(actor=actor, kind=SITING_RUN, params=params, stdout=self.stdout, wait=not no_wait)
            except ApplicationError as error:
                raise CommandError(error.message) from error
