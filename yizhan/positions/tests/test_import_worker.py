"""Large imports check their rows in a worker process (`positions/imports/worker.py`, decisions.md
record 12). The worker must find exactly what the in-process checks find, see the importing
transaction through the borrowed connection, work from a server's thread, and never outlive or
hang the import."""

import multiprocessing
import threading

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from yizhan.core.audit import audit_verify
from yizhan.core.borrowed_db import NOT_A_READ, answer_read
from yizhan.core.models import AuditEntry
from yizhan.positions.imports import worker as import_worker
from yizhan.positions.imports.xlsx import positions_import
from yizhan.positions.models import Position, PositionStateChange
from yizhan.positions.tests.conftest import ZHONGSHAN
from yizhan.positions.tests.test_import import row, workbook


@pytest.fixture
def admin(dalian_map, make_actor):
    from yizhan.core.roles import Role

    return make_actor(Role.UNIT_ADMIN, dalian_map["city"])


@pytest.fixture
def in_worker(monkeypatch):
    """Check every file in a worker process, however small."""
    monkeypatch.setattr(import_worker, "WORKER_MIN_ROWS", 1)


def _no_worker_left() -> bool:
    return not [p for p in multiprocessing.active_children() if p.name == "yizhan-import-check"]


def _mixed_rows(stored_centre_code: str) -> list[dict]:
    """Every kind of row: new stations, a centre and its work station, a work station of a stored
    centre, a stored code changed, cell errors, a duplicate, a point outside the unit's area."""
    centre = row(3, kind="职工服务中心", centre_level="区级", official_name="中山区职工服务中心")
    return [
        row(1),
        row(2, manager_phone="123", weekly_hours="25:00-26:00"),
        centre,
        row(4, kind="工作站", official_name="中山区职工服务中心一号工作站", parent_centre="IMP-003"),
        row(5, kind="工作站", official_name="存量职工服务中心二号工作站", parent_centre=stored_centre_code),
        row(50, address="新地址"),
        row(6, official_name="工会户外劳动者服务站点·导入1", lng=ZHONGSHAN[0] + 0.001 + 0.0001),
        row(7, unit="DL-XG"),  # a 中山区 point for 西岗区's union, no reason given
        row(8, unit="DL-XG", area_override_reason="跨区设点"),
        row(9, kind="工作站", official_name="西岗区职工服务中心工作站", parent_centre="NOPE"),
    ]


def _stored_centre(make_position):
    return make_position(
        code="CEN-DB", kind="centre", centre_level="district", official_name="存量职工服务中心", lng=121.65
    )


def test_worker_finds_what_in_process_checks_find(admin, make_position, monkeypatch):
    centre = _stored_centre(make_position)
    positions_import(actor=admin, file=workbook(row(50)))
    data = workbook(*_mixed_rows(centre.code))
    in_process = positions_import(actor=admin, file=data, dry_run=True)
    monkeypatch.setattr(import_worker, "WORKER_MIN_ROWS", 1)
    in_worker = positions_import(actor=admin, file=data, dry_run=True)
    assert in_worker.as_dict() == in_process.as_dict()
    # Every error of a row at once (issue 14 §4): row 11's name breaks the work station rule as well
    # as naming an unknown centre; hours that cannot be read are a warning, not an error.
    assert [(e.row, e.column) for e in in_worker.errors] == [
        (3, "管理员电话"),
        (8, "规范名称"),
        (9, "坐标在辖区外的说明"),
        (11, "所属服务中心编号"),
        (11, "规范名称"),
    ]
    assert [(w.row, w.column) for w in in_worker.warnings] == [(3, "每周开放时间")]
    assert "25:00-26:00" in in_worker.warnings[0].message
    assert "辖区“西岗区”" in in_worker.errors[2].message  # the area's name, read through the borrowed connection
    assert "本文件第 2 行" in in_worker.errors[1].message
    assert (in_worker.created, in_worker.updated) == (5, 1)
    assert _no_worker_left()


def _written() -> list:
    """What an import stored, without keys and times: positions, history, audit snapshots."""
    skip = {"id", "created_at", "updated_at", "parent_centre"}
    positions = []
    for position in Position.objects.order_by("code"):
        values = {k: v for k, v in model_to_dict(position).items() if k not in skip}
        positions.append(values | {"centre": position.parent_centre and position.parent_centre.code})
    history = sorted(
        (c.position.code, c.from_state, c.to_state, c.reason) for c in PositionStateChange.objects.select_related()
    )
    audit = sorted(
        (e.object_repr, sorted((k, v) for k, v in (e.after or {}).items() if k not in skip and k != "parent_centre_id"))
        for e in AuditEntry.objects.filter(object_type="positions.position")
    )
    return [positions, history, audit]


def test_worker_writes_what_in_process_writes(admin, make_position, monkeypatch):
    centre = _stored_centre(make_position)
    positions_import(actor=admin, file=workbook(row(50)))
    rows = [r for i, r in enumerate(_mixed_rows(centre.code)) if i not in (1, 6, 7, 9)]
    written = []
    for minimum in (10**9, 1):
        monkeypatch.setattr(import_worker, "WORKER_MIN_ROWS", minimum)
        with transaction.atomic():
            result = positions_import(actor=admin, file=workbook(*rows))
            assert result.ok, [str(e) for e in result.errors]
            assert audit_verify().ok
            written.append(_written())
            transaction.set_rollback(True)
    assert written[0] == written[1]
    ws = next(p for p in written[1][0] if p["code"] == "IMP-004")
    assert ws["centre"] == "IMP-003"  # linked to the centre saved in the same import


@pytest.mark.django_db(transaction=True)
def test_worker_started_from_a_thread(admin, in_worker):
    """As the import page runs a large file: in a thread of its own, with its own connection."""
    outcome = {}

    def run():
        try:
            outcome["result"] = positions_import(actor=admin, file=workbook(row(1), row(2), row(3)))
        except Exception as error:  # noqa: BLE001 — reported to the test below
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].created == 3
    assert Position.objects.count() == 3 and audit_verify().ok
    assert _no_worker_left()


def test_a_failing_worker_fails_the_import(admin, in_worker, monkeypatch):
    monkeypatch.setattr(import_worker, "settings_module", lambda: "yizhan.no_such_settings")
    with pytest.raises(import_worker.ImportWorkerError, match="ModuleNotFoundError"):
        positions_import(actor=admin, file=workbook(row(1), row(2)))
    assert not Position.objects.exists()
    assert _no_worker_left()


def test_a_worker_that_dies_is_an_error_not_a_hang(admin, in_worker, monkeypatch, tmp_path):
    (tmp_path / "dying_settings.py").write_text("import os\nos._exit(3)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(import_worker, "settings_module", lambda: "dying_settings")
    with pytest.raises(import_worker.ImportWorkerError, match="退出码 3"):
        positions_import(actor=admin, file=workbook(row(1), row(2)))
    assert not Position.objects.exists()


def test_the_worker_stops_when_the_writer_fails(admin, in_worker):
    def progress(done, total):
        if done:
            raise RuntimeError("the caller gave up")

    with pytest.raises(RuntimeError, match="gave up"):
        positions_import(actor=admin, file=workbook(*(row(n) for n in range(1, 450))), progress=progress)
    assert not Position.objects.exists()
    assert _no_worker_left()


def test_no_worker_without_a_settings_module(monkeypatch):
    monkeypatch.setattr(import_worker, "settings_module", lambda: None)
    assert not import_worker.wanted(10**6)
    monkeypatch.setattr(import_worker, "settings_module", lambda: "yizhan.settings")
    assert import_worker.wanted(import_worker.WORKER_MIN_ROWS)
    assert not import_worker.wanted(import_worker.WORKER_MIN_ROWS - 1)


def test_unpicklable_importer_is_checked_in_process(admin, in_worker, monkeypatch):
    """Where no worker can be started the same checks run here."""

    def refuse(*args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(import_worker.multiprocessing.get_context("spawn").Process, "start", refuse)
    result = positions_import(actor=admin, file=workbook(row(1), row(2, manager_phone="1")))
    assert [(e.row, e.column) for e in result.errors] == [(3, "管理员电话")]


# — the borrowed connection —


def test_the_parent_answers_reads_only(admin):
    table = connection.ops.quote_name(Position._meta.db_table)
    assert answer_read(connection, f"DELETE FROM {table}", None) == ("error", NOT_A_READ)  # noqa: S608
    assert answer_read(connection, f"UPDATE {table} SET code = 'x'", None) == ("error", NOT_A_READ)  # noqa: S608
    kind, description, rows = answer_read(connection, f"SELECT COUNT(*) FROM {table} WHERE code = %s", ["A"])  # noqa: S608
    assert (kind, rows) == ("rows", [(0,)]) and len(description) == 1
    assert answer_read(connection, "SELECT * FROM no_such_table", None)[0] == "error"


def test_a_borrowed_connection_reads_through_the_parent(dalian_map):
    """The worker's side, tried in this process on a fresh wrapper of the same settings."""
    from django.db import DatabaseError, NotSupportedError, connections

    from yizhan.core.borrowed_db import borrow
    from yizhan.orgs.models import Region

    asked = []

    def ask(request):
        asked.append(request)
        return answer_read(connection, request[1], request[2])

    borrowed = connections.create_connection("default")
    borrow(borrowed, ask)
    with borrowed.cursor() as cursor:
        cursor.execute(
            f"SELECT name FROM {connection.ops.quote_name(Region._meta.db_table)} WHERE adcode = %s",  # noqa: S608
            ["210202"],
        )
        assert cursor.fetchall() == [("中山区",)]
        with pytest.raises(NotSupportedError):
            cursor.executemany("INSERT INTO x VALUES (%s)", [(1,)])
        with pytest.raises(DatabaseError):
            cursor.execute("DELETE FROM x")
    assert asked and asked[0][0] == "read"
