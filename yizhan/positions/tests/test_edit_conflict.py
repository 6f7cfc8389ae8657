"""Two people editing the same position (issue 5 §6): the second save is refused with a conflict
message instead of overwriting the first, in the service, the staff form and the API."""

import re
import threading

import pytest
from django.db import connection, connections

from yizhan.core.errors import ConflictError
from yizhan.core.roles import Role
from yizhan.positions import services, views
from yizhan.positions.choices import PositionState
from yizhan.positions.forms import STALE_FORM
from yizhan.positions.models import Position
from yizhan.positions.tests.test_views import form_data

URL = "/api/v1/positions"
JSON = "application/json"


def _conflict_message(position: Position) -> str:
    """The start of EDITED_MEANWHILE for the stored position (its time part aside)."""
    return str(services.EDITED_MEANWHILE).split("{version}")[0] + str(position.version)


@pytest.mark.django_db
def test_the_second_of_two_edits_on_the_same_version_is_refused(make_position, make_actor, dalian_map):
    position = make_position()
    first, second = (make_actor(Role.UNIT_ADMIN, dalian_map["zs"]) for _ in range(2))
    loaded = position.version

    services.position_update(actor=first, position=position, expected_version=loaded, address="中山区第一人路 1 号")
    with pytest.raises(ConflictError) as refused:
        services.position_update(actor=second, position=position, expected_version=loaded, public_phone="0411-1234567")

    stored = Position.objects.get(pk=position.pk)
    assert refused.value.message.startswith(_conflict_message(stored))
    assert refused.value.extra == {"version": loaded + 1}
    assert stored.address == "中山区第一人路 1 号"
    assert stored.public_phone == ""
    assert stored.version == loaded + 1
    # Based on the version now stored, the second person's change goes through.
    services.position_update(
        actor=second, position=position, expected_version=stored.version, public_phone="0411-1234567"
    )
    stored.refresh_from_db()
    assert (stored.address, stored.public_phone, stored.version) == ("中山区第一人路 1 号", "0411-1234567", loaded + 2)


@pytest.mark.django_db
def test_every_save_raises_the_version_and_unversioned_updates_still_work(make_position, zs_admin):
    position = make_position()
    assert position.version == 1
    services.position_update(actor=zs_admin, position=position, short_name="八一路")  # imports pass no version
    services.position_transition(actor=zs_admin, position=position, to_state=PositionState.BUILDING)
    assert Position.objects.get(pk=position.pk).version == 3


def _hidden_version(page: str) -> str:
    return re.search(r'<input type="hidden" name="version" value="(\d+)"', page).group(1)


@pytest.mark.django_db
def test_the_form_shows_the_conflict_and_keeps_the_first_save(dalian_map, make_position, make_user, login):
    position = make_position()
    alice, bob = (login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])) for _ in range(2))
    edit = f"/staff/positions/{position.pk}/edit/"
    opened = {name: _hidden_version(client.get(edit).content.decode()) for name, client in (("a", alice), ("b", bob))}
    base = form_data(
        dalian_map, code=position.code, official_name=position.official_name, lng=position.lng, lat=position.lat
    )

    saved = alice.post(edit, {**base, "address": "中山区爱丽丝路 1 号", "version": opened["a"]})
    assert saved.status_code == 302
    refused = bob.post(
        edit, {**base, "address": "中山区旧址 9 号", "public_phone": "0411-7654321", "version": opened["b"]}
    )

    page = refused.content.decode()
    stored = Position.objects.get(pk=position.pk)
    assert refused.status_code == 200
    assert _conflict_message(stored) in page
    assert str(views.EDIT_CONFLICT_HINT) in page
    # The address Alice saved is shown on that field; Bob's typing is still in the form.
    assert 'id="id_address_error"' in page
    assert str(views.NOW_STORED).format(value="中山区爱丽丝路 1 号") in page
    assert 'value="0411-7654321"' in page
    assert (stored.address, stored.public_phone) == ("中山区爱丽丝路 1 号", "")
    # The page now carries the stored version: Bob may save after checking.
    assert _hidden_version(page) == str(stored.version)
    again = bob.post(
        edit, {**base, "address": "中山区爱丽丝路 1 号", "public_phone": "0411-7654321", "version": stored.version}
    )
    assert again.status_code == 302
    stored.refresh_from_db()
    assert (stored.address, stored.public_phone) == ("中山区爱丽丝路 1 号", "0411-7654321")


@pytest.mark.django_db
def test_an_edit_without_its_version_is_refused(dalian_map, make_position, make_user, login):
    position = make_position()
    client = login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))
    data = form_data(
        dalian_map, code=position.code, official_name=position.official_name, lng=position.lng, lat=position.lat
    )
    response = client.post(f"/staff/positions/{position.pk}/edit/", {**data, "address": "中山区无版本路 1 号"})
    assert response.status_code == 200
    assert str(STALE_FORM) in response.content.decode()
    assert Position.objects.get(pk=position.pk).address != "中山区无版本路 1 号"


@pytest.mark.django_db
def test_the_api_answers_409_to_a_stale_version(dalian_map, make_position, make_user, login):
    position = make_position()
    alice, bob = (login(make_user(Role.UNIT_ADMIN, dalian_map["zs"])) for _ in range(2))
    version = alice.get(f"{URL}/{position.pk}").json()["version"]
    assert bob.get(f"{URL}/{position.pk}").json()["version"] == version

    first = alice.patch(f"{URL}/{position.pk}", {"address": "中山区接口路 1 号", "version": version}, JSON)
    assert first.status_code == 200
    assert first.json()["version"] == version + 1
    second = bob.patch(f"{URL}/{position.pk}", {"manager_name": "李四", "version": version}, JSON)
    assert second.status_code == 409
    body = second.json()
    assert body["version"] == version + 1
    assert body["detail"].startswith(_conflict_message(Position.objects.get(pk=position.pk)))
    stored = Position.objects.get(pk=position.pk)
    assert (stored.address, stored.manager_name) == ("中山区接口路 1 号", "")
    # A client that sends no version is not checked (as before this rule).
    assert bob.patch(f"{URL}/{position.pk}", {"manager_name": "李四"}, JSON).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_version_let_exactly_one_through(make_position, make_actor, dalian_map):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and several writing connections need PostgreSQL")
    position = make_position()
    actors = [make_actor(Role.UNIT_ADMIN, dalian_map["zs"]) for _ in range(4)]
    barrier = threading.Barrier(len(actors))
    outcomes: list[str] = []

    def save(n: int) -> None:
        try:
            barrier.wait()
            services.position_update(
                actor=actors[n], position=position, expected_version=position.version, address=f"中山区并发路 {n} 号"
            )
            outcomes.append(f"saved {n}")
        except ConflictError:
            outcomes.append("conflict")
        except BaseException as error:  # noqa: BLE001 - reported below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(len(actors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [o for o in outcomes if o.startswith("saved")]
    assert len(saved) == 1, outcomes
    assert outcomes.count("conflict") == len(actors) - 1, outcomes
    stored = Position.objects.get(pk=position.pk)
    assert stored.address == f"中山区并发路 {saved[0].split()[1]} 号"
    assert stored.version == position.version + 1
