"""Validation of the HSDS API's answers against HSDS's own documents: the OpenAPI document's
response schemas (publishing/data/hsds/openapi.json), whose references to HSDS's published schema
URLs resolve to the shipped copies (compiled list schemas here, per-table schemas in
positions/data/hsds)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

OURS = Path(__file__).resolve().parents[1] / "data" / "hsds"
TABLES = Path(__file__).resolve().parents[2] / "positions" / "data" / "hsds"
SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI_URI = "urn:yizhan:hsds-openapi"


def _resource(path: Path) -> Resource:
    return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012)


@functools.cache
def registry() -> Registry:
    resources = []
    for path in TABLES.glob("*.json"):
        resources += [(path.name, _resource(path)), (SCHEMA_URL + path.name, _resource(path))]
    for path in (OURS / "compiled").glob("*.json"):
        resources += [
            (f"compiled/{path.name}", _resource(path)),
            (SCHEMA_URL + "compiled/" + path.name, _resource(path)),
        ]
    resources.append((OPENAPI_URI, _resource(OURS / "openapi.json")))
    return Registry().with_resources(resources)


def _pointer(path: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"{OPENAPI_URI}#/paths/{escaped}/get/responses/200/content/application~1json/schema"


@functools.cache
def response_validator(path: str) -> Draft202012Validator:
    """The validator of the 200 answer of HSDS's `GET path` (e.g. "/services")."""
    return Draft202012Validator({"$ref": _pointer(path)}, registry=registry(), format_checker=FormatChecker())


@functools.cache
def table_validator(table: str) -> Draft202012Validator:
    schema = json.loads((TABLES / f"{table}.json").read_text())
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors_of(validator: Draft202012Validator, instance) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
