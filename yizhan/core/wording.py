"""Joining words in the active language: Chinese lists items with 、 and clauses with ；, English with
", " and "; ". Build a sentence from pieces through these (and a translated template with named
placeholders), never by gluing Chinese punctuation in Python: the English page would show it."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def enumeration(items: Iterable[object]) -> str:
    """Items of a list in running text: 甲、乙、丙 / A, B, C."""
    return pgettext("list separator", "、").join(str(item) for item in items)


def clauses(items: Iterable[object]) -> str:
    """Clauses in one sentence: 甲；乙 / A; B."""
    return pgettext("clause separator", "；").join(str(item) for item in items)


def counted(items: Iterable[object]) -> str:
    """Phrases such as "优秀 3 个" in a summary: 甲，乙 / A, B."""
    return pgettext("phrase separator", "，").join(str(item) for item in items)
