"""Where tests find `../shared` (read-only data every developer and CI has next to the project).

A clone elsewhere (e.g. /tmp) has no `../shared`: its tests skip, except under CI (`CI=true`, as
`.ci/run` sets), where a missing folder is a failure rather than a silently skipped check."""

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3].parent / "shared"


def shared_path(relative: str) -> Path:
    return SHARED / relative


def require_shared(path: Path) -> None:
    """Skip the calling test when `path` is missing, or fail it under CI."""
    if path.exists():
        return
    message = f"{path} is not present (../shared next to the project)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
