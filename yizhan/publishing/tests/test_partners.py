"""Partners and keys (issue 20 §3): registered by the federation admin, keys shown once and stored
hashed, revoked at once, a partner reads its subtree only, its own rate limit, every keyed access
counted and audited; the public's access unchanged."""

from __future__ import annotations

import json

import pytest

from yizhan.core.models import AuditEntry
from yizhan.core.roles import Role
from yizhan.positions import services as position_services
from yizhan.positions.choices import PositionState
from yizhan.positions.tests.factories import XIGANG
from yizhan.publishing import keys, services
from yizhan.publishing.models import ApiKey, ApiKeyUsage
from yizhan.publishing.records import service_id_of
from yizhan.publishing.tests.factories import PartnerFactory

HSDS = "/api/v1/hsds"


@pytest.fixture
def fed_admin(dalian_map, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])


@pytest.fixture
def stations(make_position, dalian_map, make_actor):
    xg_admin = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    return {
        "zs": make_position(state=PositionState.OPERATING),
        "xg": make_position(
            actor=xg_admin, unit=dalian_map["xg"], state=PositionState.OPERATING, lng=XIGANG[0], lat=XIGANG[1]
        ),
    }


@pytest.fixture
def xg_key(fed_admin, dalian_map):
    partner = services.partner_create(
        actor=fed_admin, unit=dalian_map["xg"], name="西岗小程序", contact_name="李四", contact_phone="13900001111"
    )
    return services.api_key_issue(actor=fed_admin, partner=partner, label="正式环境")


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_key_is_shown_once_and_stored_as_a_digest(login, fed_admin, dalian_map):
    client = login(fed_admin.user)
    r = client.post(
        "/api/v1/partners",
        {"unit": "DL-XG", "name": "齐鲁工惠", "contact_name": "李四", "contact_phone": "13900001111"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    partner_id = r.json()["id"]
    r = client.post(f"/api/v1/partners/{partner_id}/keys", {"label": "测试"}, content_type="application/json")
    assert r.status_code == 201
    secret = r.json()["key"]
    key = ApiKey.objects.get(pk=r.json()["id"])
    assert secret.startswith(f"yz_{key.prefix}_") and key.digest == keys.key_digest(secret)
    # Nowhere stored: not in the key's row, not in the audit chain, not in the partner's detail.
    assert secret not in json.dumps(list(ApiKey.objects.values()), default=str)
    assert not any(secret in json.dumps(e.after or {}) for e in AuditEntry.objects.all())
    detail = client.get(f"/api/v1/partners/{partner_id}").content.decode()
    assert secret not in detail and key.prefix in detail


def test_a_partner_reads_its_subtree_only(client, stations, xg_key):
    r = client.get(HSDS + "/services", headers=bearer(xg_key.secret))
    assert r.status_code == 200
    assert [s["id"] for s in r.json()["contents"]] == [service_id_of(stations["xg"].code)]
    assert (
        client.get(HSDS + f"/services/{service_id_of(stations['zs'].code)}", headers=bearer(xg_key.secret)).status_code
        == 404
    )
    changes = client.get(HSDS + "/changes", headers=bearer(xg_key.secret)).json()["changes"]
    assert [c["id"] for c in changes] == [service_id_of(stations["xg"].code)]
    # The public sees both, as before, with no key and no audit entry.
    before = AuditEntry.objects.count()
    public = client.get(HSDS + "/services").json()
    assert public["total_items"] == 2
    assert AuditEntry.objects.count() == before


def test_a_delisting_in_the_subtree_is_a_tombstone_for_the_partner(client, stations, xg_key, dalian_map, make_actor):
    cursor = client.get(HSDS + "/changes", headers=bearer(xg_key.secret)).json()["cursor"]
    xg_admin = make_actor(Role.UNIT_ADMIN, dalian_map["xg"])
    zs_admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    position_services.position_transition(
        actor=zs_admin, position=stations["zs"], to_state=PositionState.DELISTED, reason="撤站"
    )
    position_services.position_transition(
        actor=xg_admin, position=stations["xg"], to_state=PositionState.DELISTED, reason="撤站"
    )
    changes = client.get(HSDS + "/changes", {"since": cursor}, headers=bearer(xg_key.secret)).json()["changes"]
    assert [(c["id"], c["deleted"]) for c in changes] == [(service_id_of(stations["xg"].code), True)]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"Authorization": "Bearer yz_00000000_nothing"}, keys.KEY_UNKNOWN),
        ({"Authorization": "Bearer not-a-key"}, keys.KEY_UNKNOWN),
        ({"X-API-Key": "yz_zz_zz"}, keys.KEY_UNKNOWN),
    ],
)
def test_an_unknown_key_is_refused(client, db, header, message):
    r = client.get(HSDS + "/services", headers=header)
    assert r.status_code == 401 and r.json() == {"detail": str(message)}


def test_a_revoked_key_is_refused_at_once(client, stations, xg_key, fed_admin):
    assert client.get(HSDS + "/changes", headers=bearer(xg_key.secret)).status_code == 200
    services.api_key_revoke(actor=fed_admin, key=xg_key.key)
    r = client.get(HSDS + "/changes", headers=bearer(xg_key.secret))
    assert r.status_code == 401 and r.json() == {"detail": str(keys.KEY_REVOKED)}
    # A key of a partner switched off is refused too.
    fresh = services.api_key_issue(actor=fed_admin, partner=xg_key.key.partner)
    services.partner_update(actor=fed_admin, partner=xg_key.key.partner, active=False)
    r = client.get(HSDS + "/changes", headers={"X-API-Key": fresh.secret})
    assert r.status_code == 401 and r.json() == {"detail": str(keys.PARTNER_INACTIVE)}


def test_each_key_has_its_rate_limit_and_every_access_is_audited(client, stations, xg_key, fed_admin):
    services.partner_update(actor=fed_admin, partner=xg_key.key.partner, rate_per_minute=3)
    statuses = [client.get(HSDS + "/taxonomies", headers=bearer(xg_key.secret)).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    usage = ApiKeyUsage.objects.get(key=xg_key.key)
    assert (usage.requests, usage.refused) == (5, 2)
    entries = AuditEntry.objects.filter(object_type="publishing.apikey", object_id=str(xg_key.key.pk), action="export")
    assert [e.after["status"] for e in entries.order_by("seq")] == statuses
    assert all(e.after["path"] == "/api/v1/hsds/taxonomies" for e in entries)
    # Another key has its own budget; the public theirs.
    other = services.api_key_issue(actor=fed_admin, partner=xg_key.key.partner)
    assert client.get(HSDS + "/taxonomies", headers=bearer(other.secret)).status_code == 200
    assert client.get(HSDS + "/taxonomies").status_code == 200


def test_partner_pages(login, fed_admin, dalian_map, make_actor):
    client = login(fed_admin.user)
    r = client.post(
        "/staff/publishing/partners/",
        {
            "unit": "DL-ZS",
            "name": "中山小程序",
            "contact_name": "李四",
            "contact_phone": "13900001111",
            "rate_per_minute": "60",
        },
    )
    assert r.status_code == 302
    page = r["Location"]
    r = client.post(page + "keys/", {"label": "正式"})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    text = r.content.decode()
    secret = text.split("data-key-secret>")[1].split("<")[0]
    assert keys.key_authenticate(secret).partner.name == "中山小程序"
    again = client.get(page).content.decode()
    assert secret not in again and "李四" in again
    key = ApiKey.objects.get()
    r = client.post(page + f"keys/{key.pk}/revoke/")
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.revoked
    # The auditor reads the partner with its contact masked, and may not issue keys.
    auditor = login(make_actor(Role.AUDITOR, dalian_map["city"]).user)
    seen = auditor.get(page).content.decode()
    assert "李*" in seen and "139****1111" in seen and "李四" not in seen
    assert auditor.post(page + "keys/", {"label": "x"}).status_code == 403


def test_bad_partner_input_is_a_clear_error(login, fed_admin, dalian_map):
    client = login(fed_admin.user)
    r = client.post(
        "/api/v1/partners",
        {"unit": "DL-ZS", "name": "x", "contact_name": "李四", "contact_phone": "not a phone"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "contact_phone"
    r = client.post(
        "/api/v1/partners",
        {"unit": "NOPE", "name": "x", "contact_name": "李四", "contact_phone": "13900001111"},
        content_type="application/json",
    )
    assert r.status_code == 404
    PartnerFactory(unit=dalian_map["zs"], name="重名")
    r = client.post(
        "/api/v1/partners",
        {"unit": "DL-ZS", "name": "重名", "contact_name": "李四", "contact_phone": "13900001111"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "name"
