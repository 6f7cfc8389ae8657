"""The one bounded reader of JSON request bodies (issue 13 §3): nesting counted before parsing and
without recursion, a body over Django's size limit refused, each with its Chinese message."""

import json

import pytest
from django.test import RequestFactory

from yizhan.core.json_body import (
    BODY_NOT_JSON,
    BODY_TOO_DEEP,
    BODY_TOO_LARGE,
    MAX_DEPTH,
    BodyNotJSON,
    BodyTooDeep,
    BodyTooLarge,
    json_depth,
    json_loads_bounded,
    request_json,
)


def nested(depth: int) -> str:
    """`depth` levels of alternating arrays and objects around a number."""
    text = "1"
    for level in range(depth):
        text = f"[{text}]" if level % 2 else f'{{"k": {text}}}'
    return text


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[{{{"', 0),
        ("[]", 1),
        ('{"a": [1, {"b": 2}], "c": {}}', 3),
        ('["[[[", "]]]]]]", "{{{"]', 1),
        (r'["a \"[[[ quoted", ["\\", ["\\\"[["]]]]', 3),
        ('{"schedule": {"mon": [["08:00", "18:00"]]}}', 4),
        ("[[]] [[[[[]]]]]", 5),
    ],
)
def test_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_a_body_as_deep_as_allowed_is_parsed():
    assert json_loads_bounded(nested(MAX_DEPTH).encode()) == json.loads(nested(MAX_DEPTH))


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_a_deeper_body_is_refused_before_parsing(depth):
    with pytest.raises(BodyTooDeep) as refused:
        json_loads_bounded(nested(depth).encode())
    assert refused.value.message == BODY_TOO_DEEP.format(depth=MAX_DEPTH)


def test_thousands_of_brackets_side_by_side_are_not_deep():
    assert json_loads_bounded(("[" + "[1]," * 10_000 + "[1]]").encode())[-1] == [1]


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"{", b'{"a": 1', b"\xff\xfe\xfa", b"[1]" + b"]" * 50, b"1" * 5_000, b"{" * 5 + b"}" * 5],
)
def test_anything_but_json_is_refused_as_such(raw):
    with pytest.raises(BodyNotJSON) as refused:
        json_loads_bounded(raw)
    assert refused.value.message == str(BODY_NOT_JSON)


def test_the_body_of_a_request_is_read_within_djangos_size_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    factory = RequestFactory()
    small = factory.post("/api/v1/x", {"a": "b" * 900}, content_type="application/json")
    assert request_json(small) == {"a": "b" * 900}
    large = factory.post("/api/v1/x", {"a": "b" * 1_000}, content_type="application/json")
    with pytest.raises(BodyTooLarge) as refused:
        request_json(large)
    assert refused.value.message == BODY_TOO_LARGE.format(limit=1_000)
