"""`yizhan jobs-start KIND --as USER [--param NAME=VALUE ...] [--no-wait]`: start a background
job as USER (their first role, as on the pages) and show its progress until it ends; exit 1 with
the reason when it fails or is cancelled. --no-wait prints the job's number and returns."""

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.commands import acting_as
from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.cli import start_and_follow
from yizhan.core.jobs.registry import job_kinds

BAD_PARAM = "参数须写作 名称=值：{param}"


class Command(BaseCommand):
    help = "Start a background job and show its progress (kinds: see --help)."

    def add_arguments(self, parser):
        kinds = ", ".join(kind.name for kind in job_kinds())
        parser.add_argument("kind", help=f"the job kind ({kinds})")
        parser.add_argument("--as", dest="username", required=True, help="the user the job runs for")
        parser.add_argument("--param", action="append", default=[], help="a parameter NAME=VALUE (repeatable)")
        parser.add_argument("--no-wait", action="store_true", help="print the job's number and return at once")

    def handle(self, *args, kind: str, username: str, param: list[str], no_wait: bool, **options):
        params = {}
        for item in param:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(BAD_PARAM.format(param=item))
            params[name.strip()] = value
        with acting_as(username) as actor:
            try:
                start_and_follow(actor=actor, kind=kind, params=params, stdout=self.stdout, wait=not no_wait)
            except ApplicationError as error:
                raise CommandError(error.message) from error
