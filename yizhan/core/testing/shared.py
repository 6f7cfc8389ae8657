"""The project's copies of `../shared` (read-only files next to the project on developers' machines
and CI: the specification, the source documents, boundary and HSDS data).

The project ships its own copy of everything it needs and never reads `../shared`: a clone anywhere
runs every test from its copies. Where `../shared` is present, tests check that the copies still
equal it; without it (a clone elsewhere, CI included) only that comparison is skipped."""

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
SHARED = PROJECT_DIR.parent / "shared"


def shared_path(relative: str) -> Path:
    return SHARED / relative


def require_shared(path: Path) -> None:
    """Skip the calling test when `path` is missing: it compares a shipped copy with `../shared`,
    which a clone need not have next to it."""
    if not path.exists():
        pytest.skip(f"{path} is not present (no ../shared next to the project): nothing to compare the copy with")


def assert_same_as_shared(shipped: Path, relative: str, pattern: str, *, every_file: bool = True) -> None:
    """The files of `shipped` matching `pattern` are byte for byte those of `../shared/<relative>`,
    and (with `every_file`) none of its matching files is missing from the copy. Skips the test
    without `../shared`."""
    source = shared_path(relative)
    require_shared(source)
    ours = {path.name: path for path in shipped.glob(pattern)}
    theirs = {path.name: path for path in source.glob(pattern)}
    assert ours, f"nothing matching {pattern} is shipped in {shipped}"
    assert not ours.keys() - theirs.keys(), f"shipped but not in {source}: {sorted(ours.keys() - theirs.keys())}"
    if every_file:
        assert not theirs.keys() - ours.keys(), f"in {source} but not shipped: {sorted(theirs.keys() - ours.keys())}"
    changed = sorted(name for name, path in ours.items() if path.read_bytes() != theirs[name].read_bytes())
    assert not changed, f"{shipped} differs from {source} in {changed}: copy them again"
