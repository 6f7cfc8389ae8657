"""docs/security.md names, for every control, the tests that prove it (issue 5, "Done when"): every
test file and test function it names must exist, so a renamed or deleted test cannot leave the
document pointing at nothing."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[3] / "docs" / "security.md"
PACKAGE = Path(__file__).resolve().parents[2]
# `orgs/tests/accounts/test_x.py`, optionally followed by `::test_name` and more `::test_name`s.
REFERENCE = re.compile(r"`((?:[a-z_]+/)+test_[a-z_]+\.py)((?:::test_[a-z0-9_]+)?)`")
FOLLOWING = re.compile(r"^,?\s*`::(test_[a-z0-9_]+)`")


def _references() -> list[tuple[str, str | None]]:
    text = DOCS.read_text(encoding="utf-8")
    found = []
    for match in REFERENCE.finditer(text):
        path, name = match.group(1), match.group(2).lstrip(":") or None
        found.append((path, name))
        rest = text[match.end() :]
        while following := FOLLOWING.match(rest):
            found.append((path, following.group(1)))
            rest = rest[following.end() :]
    return found


def test_the_document_names_tests():
    assert len(_references()) >= 40


def test_every_named_test_exists():
    missing = []
    for path, name in _references():
        target = PACKAGE / path
        if not target.exists():
            missing.append(path)
        elif name and not re.search(rf"^def {name}\b", target.read_text(encoding="utf-8"), re.M):
            missing.append(f"{path}::{name}")
    assert not missing, missing
