"""`yizhan publishing-webhooks`: start the webhook deliveries that are due (issue 20 §5), once or
every --interval seconds, beside `yizhan jobs-worker` (which runs them)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from yizhan.publishing.webhooks import webhooks_dispatch


class Command(BaseCommand):
    help = "Start the partners' webhook deliveries that are due (every --interval seconds, or once)"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0, help="seconds between rounds; 0: one round")

    def handle(self, *args, interval: float = 0, **options):
        while True:
            started = webhooks_dispatch()
            if started or not interval:
                self.stdout.write(f"started {len(started)} delivery job(s)")
            if not interval:
                return
            time.sleep(interval)
