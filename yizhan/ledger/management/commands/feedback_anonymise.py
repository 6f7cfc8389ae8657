"""`yizhan feedback-anonymise`: remove the phone and address pseudonym of feedback older than
YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS (spec §11). Run it daily (cron or a systemd timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from yizhan.ledger.services import feedback_anonymise_expired


class Command(BaseCommand):
    help = "Anonymise feedback submitters' phones older than the retention period."

    def handle(self, *args, **options):
        count = feedback_anonymise_expired()
        days = settings.YIZHAN_FEEDBACK_PHONE_RETENTION_DAYS
        self.stdout.write(self.style.SUCCESS(f"已匿名化 {count} 条超过 {days} 天的意见联系电话"))
