"""The one reader of JSON request bodies, bounded in size and nesting depth (issue 13 §3).

Python's `json.loads` recurses once per level of nesting: a body of a thousand nested arrays raises
`RecursionError`, which nothing expects, and a deep structure that still parses is walked again by
every validator after it. So a body is refused, with a Chinese message and status 400, when it is

- larger than Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB by default; Django refuses to read it),
- nested deeper than `MAX_DEPTH` (counted before parsing, without recursion), or
- not JSON at all.

Every endpoint reads its body through `request_json`: the API's ninja parser (`BoundedJSONParser`)
for schema-typed bodies, and the few endpoints that read `request.body` themselves.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext_lazy as _
from ninja.parser import Parser

from yizhan.core.errors import ApplicationError

# Our deepest input (a position's `weekly_hours`: day → intervals → times) nests four levels; 32 leaves room
# for any form a client may reasonably send while staying far from the interpreter's recursion limit.
MAX_DEPTH = 32

BODY_TOO_LARGE = _("请求体过大：最多 {limit} 字节")
BODY_TOO_DEEP = _("请求体的 JSON 嵌套过深：最多 {depth} 层")
BODY_NOT_JSON = _("请求体不是有效的 JSON")


class BodyError(ApplicationError):
    """The request body cannot be taken as JSON (answered 400)."""


class BodyTooLarge(BodyError):
    pass


class BodyTooDeep(BodyError):
    pass


class BodyNotJSON(BodyError):
    pass


def body_too_large() -> BodyTooLarge:
    return BodyTooLarge(str(BODY_TOO_LARGE.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)))


def request_json(request) -> Any:
    """The request's body parsed as JSON; BodyError (400) when it is too large, too deep or not JSON."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise body_too_large() from None
    return json_loads_bounded(raw)


def json_loads_bounded(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` that refuses nesting deeper than `max_depth` before parsing."""
    try:
        text = raw.decode(json.detect_encoding(raw)) if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BodyNotJSON(str(BODY_NOT_JSON)) from None
    # Counting every bracket only when there are enough of them to nest that deep.
    if text.count("[") + text.count("{") > max_depth and json_depth(text) > max_depth:
        raise BodyTooDeep(str(BODY_TOO_DEEP.format(depth=max_depth)))
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise BodyNotJSON(str(BODY_NOT_JSON)) from None


# A JSON string: quotes around anything but a quote or backslash, or an escaped character.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (0 for a scalar), brackets inside
    strings not counted. Linear, in C loops (regular expressions, `accumulate`), without recursion;
    for malformed text an estimate, which `json.loads` refuses anyway."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class BoundedJSONParser(Parser):
    """The API's body parser: `request_json` instead of ninja's plain `json.loads`. Ninja turns any
    parser error into its HttpError 400 with the original as its cause; the API answers the
    cause's Chinese message (yizhan/api.py)."""

    def parse_body(self, request):
        return request_json(request)
