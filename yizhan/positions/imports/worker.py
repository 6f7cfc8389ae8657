"""Checking the rows of a large import in a second process while this one writes (decisions.md 12).

A row is read and checked (`imports._Importer.check`: the cells, then every rule of a new record
through `services.position_prepare`) and then written (`services.positions_create_many`, or one by
one for a stored code). Both take about as long, and the two halves need each other only through
the checked rows, so a file of WORKER_MIN_ROWS rows or more is checked in a worker process started
with `spawn` (a fresh interpreter: safe from a thread of a running server, nothing inherited but
what is passed) while the importing thread writes the rows checked so far.

- The worker gets the file and a copy of the importer (what it read once: units, areas, stored codes
  and names) and runs the same `_checked_rows` as a small import does in-process.
- It reads the database only through the importing connection (`core.borrowed_db`), so it sees
  exactly what the import's transaction sees; it writes nothing.
- Checked rows come back in file order, BATCH_ROWS at a time, at most LEAD_BATCHES batches ahead of
  the writer (memory stays bounded whatever the file's size). Messages: ("rows", [checked rows]),
  ("read", sql, params) answered at once, ("end",), ("failed", traceback).
- The worker is stopped when the import ends for any reason (error, exception in the writer, the
  caller giving up), and a worker that dies is an error of the import, not a hang.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import pickle
import queue
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

WORKER_MIN_ROWS = 5000  # smaller files are checked in-process: starting a worker takes ~2 s
BATCH_ROWS = 250
LEAD_BATCHES = 8
STOP_SECONDS = 5

WORKER_DIED = _("导入的校验进程意外退出（退出码 {code}），未写入任何数据")
WORKER_FAILED = _("导入的校验进程出错（{error}），未写入任何数据")


class ImportWorkerError(RuntimeError):
    """The worker process failed or stopped; the import is rolled back."""


def settings_module() -> str | None:
    """The settings module a worker sets itself up from; None when settings were configured in code
    (then a file is checked in-process, whatever its size)."""
    from django.conf import settings

    return getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE")


def wanted(rows: int) -> bool:
    """Whether a file of `rows` rows is checked in a worker process."""
    return rows >= WORKER_MIN_ROWS and settings_module() is not None


@contextmanager
def checked_in_worker(importer, data: bytes) -> Iterator[Iterator[tuple]]:
    """The checked rows of the workbook `data` (as `imports._checked_rows` yields them), checked in a
    worker process; a copy of `importer` checks them there. Call inside the import's transaction.
    Where no worker can be started (the importer cannot be copied, the system refuses a process),
    the rows are checked in this process instead: the same checks, only slower."""
    from django.db import connection
    from django.utils import translation

    from yizhan.orgs.geo import boundaries_version

    context = multiprocessing.get_context("spawn")
    try:
        setup = {
            "settings": settings_module(),
            "language": translation.get_language(),
            "boundaries_version": boundaries_version(),
            "server_version": connection.pg_version if connection.vendor == "postgresql" else None,
            "importer": pickle.dumps(importer, protocol=pickle.HIGHEST_PROTOCOL),
            "data": data,
        }
        rows = context.Queue()  # worker → here; its feeder thread lets the worker run ahead of our reads
        replies, to_worker = context.Pipe(duplex=False)  # here → worker
        process = context.Process(target=_work, args=(setup, rows, replies), name="yizhan-import-check", daemon=True)
        process.start()
    except (pickle.PicklingError, TypeError, AttributeError, OSError):
        logger.warning("import rows checked in-process: no worker process could be started", exc_info=True)
        yield _in_process(importer, data)
        return
    replies.close()  # the worker's end
    try:
        yield _received(process, rows, to_worker, connection)
    finally:
        _stop(process)
        to_worker.close()
        rows.close()
        rows.cancel_join_thread()


def _in_process(importer, data: bytes) -> Iterator[tuple]:
    from yizhan.positions.imports.xlsx import _checked_rows, _sheet_rows

    _title, _total, _offset, sheet = _sheet_rows(data)
    next(sheet, None)  # the header
    return _checked_rows(importer, sheet)


def _received(process, rows, to_worker, connection) -> Iterator[tuple]:
    from yizhan.core.borrowed_db import answer_read

    while True:
        try:
            message = rows.get(timeout=1)
        except queue.Empty:
            if not process.is_alive():
                raise ImportWorkerError(WORKER_DIED.format(code=process.exitcode)) from None
            continue
        if message[0] == "rows":
            yield from message[1]
            # After its last rows the worker may have ended already; if it died, the next read says so.
            with suppress(BrokenPipeError):
                to_worker.send(("ack",))
        elif message[0] == "read":
            to_worker.send(answer_read(connection, message[1], message[2]))
        elif message[0] == "end":
            return
        else:
            logger.error("the import's worker process failed:\n%s", message[1])
            last = message[1].strip().splitlines()[-1] if message[1].strip() else ""
            raise ImportWorkerError(WORKER_FAILED.format(error=last))


def _stop(process) -> None:
    if process.is_alive():
        process.terminate()
    process.join(STOP_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(STOP_SECONDS)


# — in the worker process —


def _work(setup: dict, rows, replies) -> None:
    try:
        _check_all(setup, _Channel(rows, replies))
    except BaseException:  # noqa: BLE001 — whatever happens, the importing process must hear of it
        rows.put(("failed", traceback.format_exc()))
    finally:
        rows.close()
        rows.join_thread()  # everything put is sent before the process ends


def _check_all(setup: dict, channel: _Channel) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = setup["settings"]
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    from yizhan.core.borrowed_db import borrow
    from yizhan.orgs.geo import boundaries_pinned_to
    from yizhan.positions.imports.xlsx import GC_IMPORT_THRESHOLD

    settings.DEBUG = False  # no statement log in a process that only checks
    borrow(connection, channel.ask, server_version=setup["server_version"])
    translation.activate(setup["language"])
    importer = pickle.loads(setup["importer"])  # noqa: S301 (written by the parent process)
    # What is loaded now lives as long as the process: the cycle collector need not look at it
    # again, and it looks at new objects as seldom as an importing process does (imports.py).
    gc.freeze()
    gc.set_threshold(GC_IMPORT_THRESHOLD, *gc.get_threshold()[1:])
    batch = []
    with boundaries_pinned_to(setup["boundaries_version"]):
        for checked in _in_process(importer, setup["data"]):
            batch.append(checked)
            if len(batch) >= BATCH_ROWS:
                channel.send_rows(batch)
                batch = []
    channel.send_rows(batch)
    channel.rows.put(("end",))


class _Channel:
    def __init__(self, rows, replies):
        self.rows = rows
        self.replies = replies
        self.unacknowledged = 0

    def send_rows(self, batch: list) -> None:
        if not batch:
            return
        while self.unacknowledged >= LEAD_BATCHES:
            self._reply()
        self.rows.put(("rows", batch))
        self.unacknowledged += 1

    def ask(self, request: tuple) -> tuple:
        """A database read, answered by the importing process (`borrowed_db`)."""
        self.rows.put(request)
        while True:
            answer = self._reply()
            if answer is not None:
                return answer

    def _reply(self) -> tuple | None:
        message = self.replies.recv()
        if message == ("ack",):
            self.unacknowledged -= 1
            return None
        return message
