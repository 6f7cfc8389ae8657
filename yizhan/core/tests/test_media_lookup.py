"""Finding the row that holds a requested file name (decision 36) by index: every file column is
indexed (a new upload field too), and a function naming files declares its prefix truthfully
(bench/files_lookup.py measures the lookup; yizhan/tests/test_uploaded_files_lookup.py checks that
it still answers as the scope says)."""

from __future__ import annotations

import pytest
from django.db import connection

from yizhan.core import media
from yizhan.core.jobs.models import Job, result_path


@pytest.mark.django_db
def test_every_file_column_has_an_index_of_its_own():
    """/files/ and /media/ look a name up by equality on the file column: without an index of that
    column alone every lookup scans the table (decision 36's known cost, now paid)."""
    missing = []
    with connection.cursor() as cursor:
        for upload in media.upload_fields():
            table = upload.model._meta.db_table
            column = upload.model._meta.get_field(upload.name).column
            found = connection.introspection.get_constraints(cursor, table).values()
            if not any(c["index"] and c["columns"] == [column] for c in found):
                missing.append(upload.label)
    assert missing == [], "add Meta.indexes = [models.Index(fields=[<the file field>], …)] and its migration"


def test_a_function_naming_files_keeps_to_the_prefix_it_declares():
    """A declared prefix that a name did not start with would make that file unreachable."""
    declared = [u for u in media.upload_fields() if callable(u.model._meta.get_field(u.name).upload_to)]
    assert declared, "no file field names its files by a function any more: drop this test"
    for upload in declared:
        upload_to = upload.model._meta.get_field(upload.name).upload_to
        assert upload.prefix == getattr(upload_to, "upload_prefix", None), upload.label
    assert media.fixed_prefix(result_path) == "jobs/"
    assert result_path(Job(), "导出.xlsx").startswith("jobs/")
