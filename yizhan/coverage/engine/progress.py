"""Progress reports and cancellation for long computations (a background job's two callables)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError

CANCELLED = _("计算已取消")

Report = Callable[[int, int, str], None]
CheckCancelled = Callable[[], bool]


class ComputationCancelled(ApplicationError):
    """`check_cancelled()` said yes between two steps of a computation."""


@dataclass(frozen=True)
class Progress:
    """`progress(done, total, message)` first asks `check_cancelled()` (a true answer stops the
    computation with ComputationCancelled; a callable may also raise its own exception), then
    passes the step on to `report`. Both callables are optional."""

    report: Report | None = None
    check_cancelled: CheckCancelled | None = None

    def __call__(self, done: int, total: int, message) -> None:
        if self.check_cancelled is not None and self.check_cancelled():
            raise ComputationCancelled(str(CANCELLED))
        if self.report is not None:
            self.report(done, total, str(message))


SILENT = Progress()


def progress_of(report: Report | None = None, check_cancelled: CheckCancelled | None = None) -> Progress:
    return Progress(report, check_cancelled) if report or check_cancelled else SILENT
