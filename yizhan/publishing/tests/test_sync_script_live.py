"""Done-when of issue 20 §2: the sync script of the docs (docs/examples/hsds_sync.py), run as a
partner runs it (another process, over HTTP, against a live server), keeps an exact copy of the
public registry while staff create, move, suspend, reopen, rename and delist stations and set an
hours exception: after every step the copy equals the registry."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from yizhan.positions import services
from yizhan.positions.choices import PositionState
from yizhan.positions.hours_exceptions import hours_exception_create
from yizhan.positions.tests.factories import ZHONGSHAN, PositionFactory
from yizhan.publishing.tests.test_feed import public_registry, without_times

SCRIPT = Path(__file__).resolve().parents[3] / "docs" / "examples" / "hsds_sync.py"

pytestmark = pytest.mark.django_db(transaction=True)


def run_script(base: str, state: Path, *extra: str) -> dict:
    done = subprocess.run(  # noqa: S603 (this interpreter, the project's own script)
        [sys.executable, str(SCRIPT), "--base", base, "--state", str(state), "--once", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def copy_of(state: Path) -> dict:
    return json.loads(state.read_text())["services"]


def test_the_sync_script_keeps_an_exact_copy(live_server, dalian_map, zs_admin, tmp_path, settings):
    settings.YIZHAN_PUBLIC_RATE = "off"
    state = tmp_path / "copy.json"
    S = PositionState
    a = PositionFactory(actor=zs_admin, unit=dalian_map["zs"], state=S.OPERATING)
    b = PositionFactory(actor=zs_admin, unit=dalian_map["zs"], state=S.OPERATING)
    PositionFactory(actor=zs_admin, unit=dalian_map["zs"])  # planned: never published

    def check(expected_applied: int | None = None) -> None:
        out = run_script(live_server.url, state)
        assert without_times(copy_of(state)) == public_registry()
        if expected_applied is not None:
            assert out["applied"] == expected_applied

    check(2)
    check(0)  # nothing new: a 304 poll
    services.position_update(actor=zs_admin, position=a, lng=ZHONGSHAN[0] + 0.002)  # moved
    check(1)
    services.position_transition(actor=zs_admin, position=b, to_state=S.SUSPENDED, reason="维修")
    check(1)
    services.position_transition(actor=zs_admin, position=b, to_state=S.OPERATING)
    check(1)
    services.position_update(actor=zs_admin, position=a, short_name="改名站")
    day = timezone.localdate() + timedelta(days=2)
    hours_exception_create(actor=zs_admin, position=b, start=day, end=day, reason="停水")
    check(2)
    PositionFactory(actor=zs_admin, unit=dalian_map["zs"], state=S.OPERATING)
    services.position_transition(actor=zs_admin, position=a, to_state=S.DELISTED, reason="撤站")
    check(2)
    assert len(copy_of(state)) == 2
