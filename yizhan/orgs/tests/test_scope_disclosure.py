"""Issue 13 item 4 for units: a unit code is unique everywhere, so one held outside the caller's
scope is refused, but with an answer that says nothing of the unit holding it — the same for every
such holder; inside the scope the code is said to be in use."""

import pytest

from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Role
from yizhan.orgs import services
from yizhan.orgs.models import Unit

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def xg_client(dalian, make_user, login):
    """西岗区's admin: 中山区, its street union and the city federation lie outside the scope."""
    return login(make_user(Role.UNIT_ADMIN, dalian["xg"]))


def create(client, dalian, code):
    body = {
        "parent_id": dalian["xg"].pk,
        "code": code,
        "name": "新街道工会",
        "type": "street",
        "region_adcode": "210203",
    }
    return client.post("/api/v1/units", body, JSON)


def test_create_with_a_code_held_out_of_scope_reveals_nothing(dalian, xg_client):
    response = create(xg_client, dalian, "DL-ZS")
    assert response.status_code == 400
    assert response.json() == {"detail": services.CODE_UNAVAILABLE.format(code="DL-ZS"), "field": "code"}
    for other in ("DL-ZS-QNWQ", "DL"):  # a street union below 中山区, the federation above
        assert create(xg_client, dalian, other).json()["detail"].replace(other, "DL-ZS") == response.json()["detail"]
    assert "中山区" not in response.json()["detail"] and "已被使用" not in response.json()["detail"]
    assert Unit.objects.filter(code="DL-ZS").count() == 1


def test_patch_to_a_code_held_out_of_scope_reveals_nothing(dalian, make_unit, xg_client):
    own = make_unit("street", dalian["xg"], name="八一路街道工会", code="DL-XG-BYL")
    response = xg_client.patch(f"/api/v1/units/{own.pk}", {"code": "DL-ZS-QNWQ"}, JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": services.CODE_UNAVAILABLE.format(code="DL-ZS-QNWQ"), "field": "code"}
    assert Unit.objects.get(pk=own.pk).code == "DL-XG-BYL"
    # Within the scope the answer says the code is in use.
    taken = xg_client.patch(f"/api/v1/units/{own.pk}", {"code": "DL-XG"}, JSON)
    assert taken.json() == {"detail": services.CODE_TAKEN.format(code="DL-XG"), "field": "code"}


def test_the_service_decides_by_the_actors_scope(dalian, make_actor, regions):
    xg = make_actor(Role.UNIT_ADMIN, dalian["xg"])
    city = make_actor(Role.FEDERATION_ADMIN, dalian["city"])
    arguments = {"parent": dalian["xg"], "code": "DL-ZS", "name": "重复", "type": "street", "region": regions["210203"]}
    with pytest.raises(ApplicationError) as outside:
        services.unit_create(actor=xg, **arguments)
    with pytest.raises(ApplicationError) as inside:
        services.unit_create(actor=city, **arguments)
    assert outside.value.message == services.CODE_UNAVAILABLE.format(code="DL-ZS")
    assert inside.value.message == services.CODE_TAKEN.format(code="DL-ZS")
