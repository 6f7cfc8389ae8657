"""The staff list at 100,000 positions (issue 3): covering list indexes, the facility bits, text
search and the list version (see yizhan/positions/listing.py for how the list uses them).

The database side is written per engine:
- facility_mask: triggers compute it from `facilities` on every insert and on every update of either
  column (on SQLite an AFTER trigger updates the row, as SQLite triggers cannot change NEW); existing
  rows are filled here. PostgreSQL also gets statistics on each bit test (at most 8 expressions per
  statistics object, hence two), so it estimates the list's facility filter.
- text search: SQLite gets an external-content FTS5 table with the trigram tokenizer kept in step by
  triggers; PostgreSQL gets pg_trgm GIN indexes on the expressions Django's lookups use
  (UPPER(column) for icontains, the plain column for contains) and a B-tree on UPPER(code) (iexact).
- positions_listversion: one row whose token changes with every write to positions or units. On
  PostgreSQL a deferred constraint trigger sets it to the writing transaction's id at commit, once
  per transaction, so writers do not queue on the row for a whole import; on SQLite, whose writers
  are serialised anyway, every row write sets a random token.

The facility bits are frozen here as listing.FACILITY_BITS stood when this was written; a new facility
needs a migration that replaces the facility triggers and statistics (test_list_filters_engine.py
checks that the database and listing.FACILITY_BITS agree).
"""

from django.db import migrations, models

FACILITY_BITS = {
    "drinking_water": 1 << 0,
    "microwave": 1 << 1,
    "tables_chairs": 1 << 2,
    "fan_or_ac": 1 << 3,
    "medicine_kit": 1 << 4,
    "power_outlets": 1 << 5,
    "water_and_power": 1 << 6,
    "toilet": 1 << 7,
    "refrigerator": 1 << 8,
    "lockers": 1 << 9,
    "repair_toolbox": 1 << 10,
    "television": 1 << 11,
    "wifi": 1 << 12,
    "reading": 1 << 13,
    "charging": 1 << 14,
}
TEXT_COLUMNS = ("official_name", "short_name", "address", "code", "search_initials")
VERSIONED_TABLES = ("positions_position", "orgs_unit")


def _bit_case(column):
    whens = " ".join(f"WHEN '{value}' THEN {bit}" for value, bit in FACILITY_BITS.items())
    return f"CASE {column} {whens} END"


# --- SQLite ---------------------------------------------------------------------------------------

SQLITE_MASK = (
    f"(SELECT COALESCE(SUM(DISTINCT {_bit_case('j.value')}), 0) FROM json_each("
    "CASE WHEN json_valid({0}) THEN CASE json_type({0}) WHEN 'array' THEN {0} END END) AS j)"
)


def _sqlite_text_row(prefix):
    return ", ".join(f"{prefix}.{column}" for column in TEXT_COLUMNS)


SQLITE_FORWARD = [
    # Facility bits (the WHEN clause also ends the chain should recursive triggers be turned on).
    *(
        f"""CREATE TRIGGER positions_position_facility_mask_{suffix} AFTER {event} ON positions_position
            WHEN NEW.facility_mask IS NOT {SQLITE_MASK.format("NEW.facilities")} BEGIN
            UPDATE positions_position SET facility_mask = {SQLITE_MASK.format("NEW.facilities")} WHERE id = NEW.id;
        END"""
        for suffix, event in (("ai", "INSERT"), ("au", "UPDATE OF facilities, facility_mask"))
    ),
    f"UPDATE positions_position SET facility_mask = {SQLITE_MASK.format('facilities')}",
    # Text search.
    f"""CREATE VIRTUAL TABLE positions_position_text USING fts5({", ".join(TEXT_COLUMNS)},
        content='positions_position', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER positions_position_text_ai AFTER INSERT ON positions_position BEGIN
        INSERT INTO positions_position_text (rowid, {", ".join(TEXT_COLUMNS)})
        VALUES (NEW.id, {_sqlite_text_row("NEW")});
    END""",
    f"""CREATE TRIGGER positions_position_text_ad AFTER DELETE ON positions_position BEGIN
        INSERT INTO positions_position_text (positions_position_text, rowid, {", ".join(TEXT_COLUMNS)})
        VALUES ('delete', OLD.id, {_sqlite_text_row("OLD")});
    END""",
    f"""CREATE TRIGGER positions_position_text_au AFTER UPDATE OF {", ".join(TEXT_COLUMNS)} ON positions_position
        WHEN {" OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TEXT_COLUMNS)} BEGIN
        INSERT INTO positions_position_text (positions_position_text, rowid, {", ".join(TEXT_COLUMNS)})
        VALUES ('delete', OLD.id, {_sqlite_text_row("OLD")});
        INSERT INTO positions_position_text (rowid, {", ".join(TEXT_COLUMNS)})
        VALUES (NEW.id, {_sqlite_text_row("NEW")});
    END""",
    "INSERT INTO positions_position_text (positions_position_text) VALUES ('rebuild')",
    # The list version.
    "CREATE TABLE positions_listversion (id integer NOT NULL PRIMARY KEY, token bigint NOT NULL)",
    "INSERT INTO positions_listversion (id, token) VALUES (1, random())",
    *(
        f"""CREATE TRIGGER positions_listversion_{table}_{event.lower()} AFTER {event} ON {table} BEGIN
            UPDATE positions_listversion SET token = random() WHERE id = 1;
        END"""
        for table in VERSIONED_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS positions_listversion_{table}_{event}"
        for table in VERSIONED_TABLES
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS positions_listversion",
    "DROP TRIGGER IF EXISTS positions_position_text_au",
    "DROP TRIGGER IF EXISTS positions_position_text_ad",
    "DROP TRIGGER IF EXISTS positions_position_text_ai",
    "DROP TABLE IF EXISTS positions_position_text",
    "DROP TRIGGER IF EXISTS positions_position_facility_mask_au",
    "DROP TRIGGER IF EXISTS positions_position_facility_mask_ai",
]

# --- PostgreSQL -----------------------------------------------------------------------------------

POSTGRES_FORWARD = [
    # Facility bits.
    f"""CREATE FUNCTION positions_position_facility_mask() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.facility_mask := COALESCE((
            SELECT bit_or({_bit_case("f.value")})
            FROM jsonb_array_elements_text(
                CASE jsonb_typeof(NEW.facilities) WHEN 'array' THEN NEW.facilities ELSE '[]'::jsonb END
            ) AS f (value)
        ), 0);
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER positions_position_facility_mask BEFORE INSERT OR UPDATE OF facilities, facility_mask
        ON positions_position FOR EACH ROW EXECUTE FUNCTION positions_position_facility_mask()""",
    "UPDATE positions_position SET facility_mask = 0",  # the trigger fills in the bits
    # The planner's estimate of one bit test, e.g. (facility_mask & 4096) = 4096: without statistics
    # on the expression it guesses 0.5 % of the rows and sorts them rather than walk an index.
    *(
        f"CREATE STATISTICS position_facility_bits_{n} ON {', '.join(f'(facility_mask & {bit})' for bit in bits)} "
        "FROM positions_position"
        for n, bits in enumerate([list(FACILITY_BITS.values())[:8], list(FACILITY_BITS.values())[8:]])
    ),
    # Text search (pg_trgm is a trusted extension: the database owner may create it).
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX position_text_trgm ON positions_position USING gin (
        UPPER(official_name) gin_trgm_ops, UPPER(short_name) gin_trgm_ops, UPPER(address) gin_trgm_ops,
        search_initials gin_trgm_ops)""",
    "CREATE INDEX position_code_upper ON positions_position (UPPER(code))",
    # The list version.
    "CREATE TABLE positions_listversion (id integer NOT NULL PRIMARY KEY, token bigint NOT NULL)",
    "INSERT INTO positions_listversion (id, token) VALUES (1, txid_current())",
    """CREATE FUNCTION positions_listversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('yizhan.listversion_xid', true) IS DISTINCT FROM txid_current()::text THEN
            UPDATE positions_listversion SET token = txid_current() WHERE id = 1;
            PERFORM set_config('yizhan.listversion_xid', txid_current()::text, true);
        END IF;
        RETURN NULL;
    END $$""",
    *(
        statement
        for table in VERSIONED_TABLES
        for statement in (
            f"""CREATE CONSTRAINT TRIGGER positions_listversion AFTER INSERT OR UPDATE OR DELETE ON {table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION positions_listversion_bump()""",
            f"""CREATE TRIGGER positions_listversion_truncate AFTER TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION positions_listversion_bump()""",
        )
    ),
]

POSTGRES_BACKWARD = [
    *(
        statement
        for table in VERSIONED_TABLES
        for statement in (
            f"DROP TRIGGER IF EXISTS positions_listversion_truncate ON {table}",
            f"DROP TRIGGER IF EXISTS positions_listversion ON {table}",
        )
    ),
    "DROP FUNCTION IF EXISTS positions_listversion_bump()",
    "DROP TABLE IF EXISTS positions_listversion",
    "DROP INDEX IF EXISTS position_code_upper",
    "DROP INDEX IF EXISTS position_text_trgm",
    "DROP STATISTICS IF EXISTS position_facility_bits_0",
    "DROP STATISTICS IF EXISTS position_facility_bits_1",
    "DROP TRIGGER IF EXISTS positions_position_facility_mask ON positions_position",
    "DROP FUNCTION IF EXISTS positions_position_facility_mask()",
]

SQL = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, direction):
    statements = SQL.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError(f"positions 0005 has no SQL for {schema_editor.connection.vendor}")
    for statement in statements[direction]:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, 0)


def backward(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0001_initial"),
        ("positions", "0004_photos"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="position", name="position_state_kind_code"),
        migrations.RemoveIndex(model_name="position", name="position_kind_code"),
        migrations.RemoveIndex(model_name="position", name="position_unit_code"),
        migrations.AddField(
            model_name="position",
            name="facility_mask",
            field=models.IntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="position",
            index=models.Index(
                fields=["code", "state", "kind", "unit", "region", "construction_type", "facility_mask", "id"],
                name="position_list_code",
            ),
        ),
        migrations.AddIndex(
            model_name="position",
            index=models.Index(
                fields=["state", "code", "kind", "unit", "region", "construction_type", "facility_mask", "id"],
                name="position_list_state",
            ),
        ),
        migrations.AddIndex(
            model_name="position",
            index=models.Index(
                fields=["kind", "code", "state", "unit", "region", "construction_type", "facility_mask", "id"],
                name="position_list_kind",
            ),
        ),
        migrations.AddIndex(
            model_name="position",
            index=models.Index(
                fields=["unit", "code", "state", "kind", "region", "construction_type", "facility_mask", "id"],
                name="position_list_unit",
            ),
        ),
        migrations.AddIndex(
            model_name="position",
            index=models.Index(
                fields=["region", "code", "state", "kind", "unit", "construction_type", "facility_mask", "id"],
                name="position_list_region",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
