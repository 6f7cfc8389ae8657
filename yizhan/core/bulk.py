"""Bulk inserts for large imports: one statement for a whole batch of rows.

Why not `QuerySet.bulk_create`: on SQLite Django splits a batch into statements of at most 999
parameters (about 20 rows of a position) and, for every value, runs the generic expression and
preparation path; measured on 5,000 positions it spends 340 µs of CPU per row, most of an
import's write time. Here each column's conversion is chosen once (plain values pass through, the
others use the field's own `get_db_prep_save`), the rows go to SQLite's `executemany` (one prepared
INSERT) or to PostgreSQL's COPY, and primary keys are reserved first so the caller can
link history rows and audit entries to them: from the table's sequence on PostgreSQL, after the
highest id on SQLite, whose writers hold the database lock for the whole transaction (this project
opens SQLite transactions with BEGIN IMMEDIATE). Other engines fall back to `bulk_create`.

`bulk_insert_rows` writes rows given as tuples, for records that need no model instance (the first
history rows and audit entries of an import): building tens of thousands of instances only to read
their attributes back costs more than the insert. Values are converted by the same functions;
`JSONText` marks a JSON value its caller has already encoded (the audit chain encodes each snapshot
once, for its digest), stored as that text instead of being encoded again.

The objects must already be valid (`full_clean` or the services' checks): nothing here validates.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence

from django.db import connections, models, router, transaction
from django.utils import timezone

# Field classes whose database value is the Python value itself (after the model's own cleaning).
_PLAIN = (models.IntegerField, models.FloatField, models.BooleanField, models.AutoField)
_TEXT = (models.CharField, models.TextField, models.SlugField, models.EmailField)


class JSONText(str):
    """A JSON field's value already encoded as JSON text by the caller; stored as is."""


def bulk_insert(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model; each gets its primary key and counts as saved."""
    if not objs:
        return
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor not in ("sqlite", "postgresql"):
        model._default_manager.using(alias).bulk_create(objs)
        return
    meta = model._meta
    pk = meta.pk
    fields = list(meta.concrete_fields)
    with transaction.atomic(using=alias):
        missing = [obj for obj in objs if getattr(obj, pk.attname) is None]
        if missing:
            for obj, key in zip(missing, _reserve_keys(connection, model, len(missing)), strict=True):
                setattr(obj, pk.attname, key)
        for obj in objs:
            # Foreign keys to objects saved since they were assigned (a centre of the same batch).
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")
        now = timezone.now()  # one moment for the statement's auto_now fields, as one INSERT has
        readers = [_reader(field, now) for field in fields]
        converters = [_converter(field, connection) for field in fields]
        rows = [[convert(read(obj)) for read, convert in zip(readers, converters, strict=True)] for obj in objs]
        _execute(connection, model, fields, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def bulk_insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> list:
    """Insert rows of `model` given as tuples of the values of the fields `names` (attribute names, as
    an instance holds them: `position_id`, not `position`), in that order. Other fields take their
    default (auto_now fields: now); a primary key not among `names` is reserved. Returns the keys."""
    rows = list(rows)
    if not rows:
        return []
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    by_attname = {field.attname: field for field in meta.concrete_fields}
    given = [by_attname[name] for name in names]
    if connection.vendor not in ("sqlite", "postgresql"):
        objs = [
            model(**{n: json.loads(v) if type(v) is JSONText else v for n, v in zip(names, row, strict=True)})
            for row in rows
        ]
        model._default_manager.using(alias).bulk_create(objs)
        return [obj.pk for obj in objs]
    now = timezone.now()
    others = [field for field in meta.concrete_fields if field not in given and field is not meta.pk]
    fixed = [_default(field, now) for field in others]
    fields = [*given, *others]
    with transaction.atomic(using=alias):
        if meta.pk in given:
            keys = [row[given.index(meta.pk)] for row in rows]
        else:
            keys = _reserve_keys(connection, model, len(rows))
            fields.append(meta.pk)
        converters = [_converter(field, connection) for field in fields]
        tail = [fixed] * len(rows) if meta.pk in given else [[*fixed, key] for key in keys]
        prepared = [
            [convert(value) for convert, value in zip(converters, (*row, *extra), strict=True)]
            for row, extra in zip(rows, tail, strict=True)
        ]
        _execute(connection, model, fields, prepared)
    return keys


def _execute(connection, model: type[models.Model], fields: list[models.Field], rows: list) -> None:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY: one statement for the whole batch. Row by row, even prepared and pipelined, the
        # server spends more on starting each INSERT than on storing the row (measured: 3-4x).
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(statement) as copy,  # the driver's cursor: Django's does not wrap COPY
        ):
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model, quoted)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _reserve_keys(connection, model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite AUTOINCREMENT never reuses an id: start after both the highest row and the sequence.
        quoted_column, quoted_table = connection.ops.quote_name(column), connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({quoted_column}) FROM {quoted_table}")  # noqa: S608 (names from the model)
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
        return list(range(start, start + count))


def _auto_now(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _reader(field: models.Field, now) -> Callable[[models.Model], object]:
    attname = field.attname
    if isinstance(field, models.DateTimeField) and _auto_now(field):

        def stamp(obj):
            setattr(obj, attname, now)  # what `pre_save` does on an insert, with the batch's moment
            return now

        return stamp
    if _auto_now(field) or isinstance(field, models.FileField):
        return lambda obj: field.pre_save(obj, True)
    return lambda obj: getattr(obj, attname)


def _default(field: models.Field, now):
    if isinstance(field, models.DateTimeField) and _auto_now(field):
        return now
    if _auto_now(field):
        return datetime.date.today()  # what DateField.pre_save stores
    return field.get_default()


def _converter(field: models.Field, connection) -> Callable[[object], object]:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, _PLAIN):
        return _same
    if type(field) in _TEXT:
        return _text
    if isinstance(field, models.JSONField):
        return _json_converter(field, connection)

    def generic(value):
        return field.get_db_prep_save(value, connection=connection)

    if isinstance(field, (models.DateField, models.DecimalField)):
        # A batch shares its timestamps and most dates are empty: convert each distinct value once.
        last = [object(), None]

        def remembered(value):
            if value is None:
                return None
            if value is not last[0]:
                last[0], last[1] = value, generic(value)
            return last[1]

        return remembered
    return generic


def _json_converter(field: models.JSONField, connection) -> Callable[[object], object]:
    """A JSON value as its text, which is what Django's backends send for a plain value (json.dumps
    with the field's encoder; None is SQL NULL): SQLite stores the text, COPY reads it into jsonb.
    One encoder serves the batch, and a list of text (facilities, services) is encoded once. A
    `JSONText` is that text already."""
    encode = (field.encoder or json.JSONEncoder)().encode
    texts: dict[tuple, str] = {}

    def convert(value):
        if value is None:
            return None
        kind = type(value)
        if kind is JSONText:
            return str(value)
        if kind is list and all(type(item) is str for item in value):
            key = tuple(value)
            text = texts.get(key)
            if text is None:
                text = encode(value)
                if len(texts) < 4096:
                    texts[key] = text
            return text
        if kind in (dict, list):
            return encode(value)
        return field.get_db_prep_save(value, connection=connection)

    return convert


def _same(value):
    return value


def _text(value):
    return value if value is None or type(value) is str else str(value)
