"""The job kinds of every app, registered at start-up (each app's AppConfig.ready()), as
permissions and personal fields are: the kernel runs kinds it does not know.

    register_job_kind(JobKind(
        name="coverage.compute",                 # stored on the job: never rename a kind in use
        label=_("计算覆盖率"),
        run=coverage_compute_job,                # run(job, progress) -> JobResult | dict | None
        permission=(Action.CREATE, "coverage.coverageresult"),
        check_params=coverage_params,            # (actor, params) -> params, or ApplicationError
    ))

`run` gets the job (its `params`, and `job.actor`: the starter, acting through the membership the
job was started with) and a `runner.Progress`: `progress.report(done, total, message)` as it goes
and `progress.check_cancelled()` where stopping is safe; both raise `Cancelled` once a cancel was
asked for. With `atomic` (the default) everything `run` writes is one transaction, rolled back when
it fails or is cancelled: nothing half-written. A kind that only reads (an export, a check) says
`atomic=False`, so that it holds no write lock while it runs. On SQLite a transaction holds the
database's only write lock from its start (settings: IMMEDIATE): while an atomic kind runs, every
other write waits, its own heartbeat and progress and a cancel request included. A long
computation that writes at its end is better declared `atomic=False`, with its writes in one
`transaction.atomic()` at the end (after its last `check_cancelled()`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from yizhan.core.jobs.models import Job
    from yizhan.core.jobs.runner import Progress
    from yizhan.core.scoping import Actor

KIND_TWICE = "job kind {name} is registered twice"
UNKNOWN_KIND_LABEL = _("未知任务（{name}）")


@dataclass(frozen=True)
class JobResult:
    """What a run leaves: `data` (plain JSON, shown on the job's page and in the API) and/or a
    file (`content`, downloaded as `filename`)."""

    data: dict[str, Any] | None = None
    content: bytes | None = None
    filename: str = ""


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    run: Callable[[Job, Progress], JobResult | dict | None]
    # (action, model label) the starter's role needs, on top of starting jobs at all.
    permission: tuple[str, str]
    atomic: bool = True
    # Checks and normalises the parameters when the job is started (ApplicationError naming the
    # parameter); None: the kind takes none, and any given are refused.
    check_params: Callable[[Actor, dict], dict] | None = None
    # One line on a finished run's result data, for pages, the API and the terminal.
    summarise: Callable[[dict], str] | None = None
    # Offered as a button on the jobs page (kinds that take no parameters).
    offered: bool = False


_kinds: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    """Offer a kind of job (apps call it from their AppConfig.ready()); one name, one kind."""
    if _kinds.get(kind.name) == kind:
        return  # the same kind again: AppConfig.ready() may run twice (Django's docs)
    if kind.name in _kinds:
        raise ValueError(KIND_TWICE.format(name=kind.name))
    _kinds[kind.name] = kind


def unregister_job_kind(name: str) -> None:
    """For tests that register a kind of their own."""
    _kinds.pop(name, None)


def job_kind(name: str) -> JobKind | None:
    return _kinds.get(name)


def job_kinds() -> list[JobKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.name)


def kind_label(name: str) -> str:
    kind = _kinds.get(name)
    return str(kind.label) if kind else str(UNKNOWN_KIND_LABEL.format(name=name))


def result_summary(job: Job) -> str:
    kind = _kinds.get(job.kind)
    if kind is None or kind.summarise is None or not isinstance(job.result, dict):
        return ""
    return str(kind.summarise(job.result))
