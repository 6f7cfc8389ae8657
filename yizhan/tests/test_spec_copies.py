"""The specification and its source documents ship with the project (issue 12): a newcomer's clone
needs nothing beside it. They are copies of ../shared's, compared with it where it is present."""

import re

from yizhan.core.testing.shared import PROJECT_DIR, assert_same_as_shared

DOCS = PROJECT_DIR / "docs"


def test_the_specification_is_that_of_shared():
    assert_same_as_shared(DOCS / "spec", "docs", "*.md")


def test_the_source_documents_are_those_of_shared():
    assert_same_as_shared(DOCS / "seeds", "seeds", "*.txt")


def test_the_readme_sends_a_newcomer_nowhere_outside_the_repository():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    paths = re.findall(r"`([^`\s]+)`", readme)
    assert not [path for path in paths if path.startswith("../")]
    named_docs = [path for path in paths if path.startswith("docs/")]
    assert "docs/spec/domain.md" in named_docs
    assert [path for path in named_docs if not (PROJECT_DIR / path).exists()] == []
