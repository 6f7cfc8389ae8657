"""The read-only admin answers 404 for an object outside the actor's scope, as every page and the API
do (spec §1, issue 13 §5): Django's admin would redirect to its index with a message naming the id."""

import pytest

from yizhan.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def zs_client(dalian, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian["zs"]))


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_an_object_outside_the_scope_answers_404(zs_client, dalian, view):
    response = zs_client.get(f"/admin/orgs/unit/{dalian['xg'].pk}/{view}/")
    assert response.status_code == 404
    assert dalian["xg"].name not in response.content.decode()


@pytest.mark.parametrize("object_id", ["999999", "abc"])
def test_an_object_that_does_not_exist_answers_the_same_404(zs_client, object_id):
    assert zs_client.get(f"/admin/orgs/unit/{object_id}/change/").status_code == 404


def test_an_object_in_the_scope_is_shown_and_still_not_deleted(zs_client, dalian):
    assert zs_client.get(f"/admin/orgs/unit/{dalian['street'].pk}/change/").status_code == 200
    assert zs_client.get(f"/admin/orgs/unit/{dalian['street'].pk}/delete/").status_code == 403
