"""Every role × unit relation × channel × action on every scoped model (issue 2, "Data scope")."""

import pytest
from django.utils.module_loading import import_string

from yizhan.core.roles import PERMISSIONS
from yizhan.core.testing.scope_matrix import matrix_params, run_row

# A context adds its models to the matrix by listing its scope_cases module here.
CASE_MODULES = [
    "yizhan.orgs.tests.scope_cases",
    "yizhan.core.tests.scope_cases",
    "yizhan.positions.tests.scope_cases",
    "yizhan.ledger.tests.scope_cases",
]
CASES = [case for module in CASE_MODULES for case in import_string(f"{module}.CASES")]


def test_every_permissioned_model_is_in_the_matrix():
    assert set(PERMISSIONS) <= {case.model for case in CASES}


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "role", "relation"), [p for c in CASES for p in matrix_params(c)])
def test_scope_row(case, role, relation, make_unit):
    run_row(case, role, relation, make_unit)
