from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinderConfig(AppConfig):
    name = "yizhan.finder"
    label = "finder"
    verbose_name = _("公众查找")

    def ready(self) -> None:
        from yizhan.core import changes
        from yizhan.finder import checks  # noqa: F401  (settings checks)
        from yizhan.finder.index import TOPIC
        from yizhan.ledger.models import ProblemReport
        from yizhan.positions.models import HoursException, Position, PositionPhoto

        # The index and the public records read positions and their hours exceptions: every write
        # to either, by anyone, reaches the change feed as the position's id (finder/index.py).
        # The facility bits are written by the positions' own trigger from `facilities`.
        changes.watch(Position, topic=TOPIC, ignore=["facility_mask"])
        changes.watch(HoursException, topic=TOPIC, key="position")
        # An open "closed/locked" problem report demotes or hides the position (issue 15 §4): a
        # report's every write re-reads its position's index row at once.
        changes.watch(ProblemReport, topic=TOPIC, key="position")
        # A station's page is kept while nothing here changes (pagecache.py): its photos too.
        changes.watch(PositionPhoto, topic=TOPIC, key="position")
