"""`yizhan publishing-refresh`: bring the published registry up to date now (issue 20 §2).

Reads do it themselves, but the first one after a deployment, a restore or a long pause compares
every public position (about 0.6 ms each: minutes at national scale); run this after `migrate`
or `restore` so that no partner's request waits for it."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from yizhan.publishing.publication import refresh


class Command(BaseCommand):
    help = "Bring the published registry (HSDS API and change feed) up to date with the positions"

    def handle(self, *args, **options):
        start = time.perf_counter()
        head = refresh()
        self.stdout.write(f"feed at {head.epoch}.{head.seq} ({time.perf_counter() - start:.1f} s)")
