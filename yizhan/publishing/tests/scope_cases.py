"""Scope-matrix declarations of partners and map markings (see yizhan/orgs/testing/scope_matrix.py).

A partner is probed by the staff API (list, detail, registration, issuing a key as its update) and
the pages (list, detail, registration, issuing a key), and the admin list. Keys and usage are read
and written through their partner only (test_scope_matrix.NOT_IN_MATRIX)."""

from __future__ import annotations

from yizhan.core.roles import Role
from yizhan.orgs.testing.scope_matrix import Outcome, ScopeCase, World
from yizhan.publishing.models import ApiKey, MapMarking, Partner
from yizhan.publishing.tests.factories import PartnerFactory

OWN_AND_BELOW = frozenset({"own", "child"})


def _partner(world: World, relation: str) -> Partner:
    return PartnerFactory(unit=world.units[relation], name=world.fresh(f"矩阵合作方{relation}-"))


def _admin_list(world, partner, relation):
    r = world.client.get("/admin/publishing/partner/")
    link = f"/admin/publishing/partner/{partner.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


def _api_list(world, partner, relation):
    r = world.client.get("/api/v1/partners")
    return Outcome(r.status_code == 200 and partner.pk in [p["id"] for p in r.json()], r.status_code)


def _api_detail(world, partner, relation):
    r = world.client.get(f"/api/v1/partners/{partner.pk}")
    return Outcome(r.status_code == 200 and r.json()["id"] == partner.pk, r.status_code)


def _payload(partner: Partner) -> dict:
    return {
        "unit": partner.unit.code,
        "name": "矩阵新合作方",
        "contact_name": "王五",
        "contact_phone": "13700001111",
    }


def _api_create(world, partner, relation):
    r = world.client.post("/api/v1/partners", _payload(partner), content_type="application/json")
    return Outcome(r.status_code == 201 and Partner.objects.filter(name="矩阵新合作方").exists(), r.status_code)


def _api_issue(world, partner, relation):
    r = world.client.post(f"/api/v1/partners/{partner.pk}/keys", {"label": "矩阵"}, content_type="application/json")
    return Outcome(r.status_code == 201 and ApiKey.objects.filter(partner=partner).exists(), r.status_code)


def _page_list(world, partner, relation):
    r = world.client.get("/staff/publishing/partners/")
    return Outcome(r.status_code == 200 and f'data-partner="{partner.pk}"' in r.content.decode(), r.status_code)


def _page_detail(world, partner, relation):
    r = world.client.get(f"/staff/publishing/partners/{partner.pk}/")
    return Outcome(r.status_code == 200 and f'data-partner-name="{partner.pk}"' in r.content.decode(), r.status_code)


def _page_create(world, partner, relation):
    data = {**_payload(partner), "rate_per_minute": "120"}
    r = world.client.post("/staff/publishing/partners/", data)
    return Outcome(r.status_code == 302 and Partner.objects.filter(name="矩阵新合作方").exists(), r.status_code)


def _page_issue(world, partner, relation):
    r = world.client.post(f"/staff/publishing/partners/{partner.pk}/keys/", {"label": "矩阵"})
    issued = r.status_code == 200 and "data-key-secret" in r.content.decode()
    return Outcome(issued and ApiKey.objects.filter(partner=partner).exists(), r.status_code)


ADMIN = dict.fromkeys(("list", "detail", "create", "update"), OWN_AND_BELOW)
AUDIT = {"list": OWN_AND_BELOW, "detail": OWN_AND_BELOW}

CASES = [
    ScopeCase(
        model="publishing.partner",
        make_target=_partner,
        probes={
            ("admin", "list"): _admin_list,
            ("api", "list"): _api_list,
            ("api", "detail"): _api_detail,
            ("api", "create"): _api_create,
            ("api", "update"): _api_issue,
            ("page", "list"): _page_list,
            ("page", "detail"): _page_detail,
            ("page", "create"): _page_create,
            ("page", "update"): _page_issue,
        },
        expected={
            Role.FEDERATION_ADMIN: ADMIN,
            Role.UNIT_ADMIN: {},
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: AUDIT,
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
]


# ------------------------------------------------------------------ map markings


def _marking(world: World, relation: str) -> MapMarking:
    marking = MapMarking(unit=world.units[relation], platform="amap", marked_by="matrix")
    marking.save()
    return marking


def _marked_again(marking: MapMarking) -> bool:
    return MapMarking.objects.filter(unit=marking.unit).count() == 2


def _marking_admin_list(world, marking, relation):
    r = world.client.get("/admin/publishing/mapmarking/")
    link = f"/admin/publishing/mapmarking/{marking.pk}/change/"
    return Outcome(r.status_code == 200 and link in r.content.decode(), r.status_code)


def _marking_api_list(world, marking, relation):
    r = world.client.get("/api/v1/map-marking/markings")
    return Outcome(r.status_code == 200 and marking.pk in [m["id"] for m in r.json()], r.status_code)


def _marking_api_create(world, marking, relation):
    payload = {"unit": marking.unit.code}
    r = world.client.post("/api/v1/map-marking/amap/markings", payload, content_type="application/json")
    return Outcome(r.status_code == 201 and _marked_again(marking), r.status_code)


def _marking_api_export(world, marking, relation):
    r = world.client.get("/api/v1/map-marking/baidu/difference", {"unit": marking.unit.code})
    return Outcome(r.status_code == 200 and r.content.startswith("\ufefftitle".encode()), r.status_code)


def _marking_page_list(world, marking, relation):
    r = world.client.get("/staff/publishing/map-marking/", {"unit": marking.unit.code})
    return Outcome(r.status_code == 200 and f'data-marking="{marking.pk}"' in r.content.decode(), r.status_code)


def _marking_page_create(world, marking, relation):
    r = world.client.post("/staff/publishing/map-marking/", {"unit": marking.unit.code, "platform": "amap"})
    return Outcome(r.status_code == 302 and _marked_again(marking), r.status_code)


def _marking_page_export(world, marking, relation):
    r = world.client.get("/staff/publishing/map-marking/amap/difference.csv", {"unit": marking.unit.code})
    return Outcome(r.status_code == 200 and r.content.startswith("\ufeff名称".encode()), r.status_code)


MARKERS = dict.fromkeys(("list", "create", "export"), OWN_AND_BELOW)

CASES.append(
    ScopeCase(
        model="publishing.mapmarking",
        make_target=_marking,
        probes={
            ("admin", "list"): _marking_admin_list,
            ("api", "list"): _marking_api_list,
            ("api", "create"): _marking_api_create,
            ("api", "export"): _marking_api_export,
            ("page", "list"): _marking_page_list,
            ("page", "create"): _marking_page_create,
            ("page", "export"): _marking_page_export,
        },
        expected={
            Role.FEDERATION_ADMIN: MARKERS,
            Role.UNIT_ADMIN: MARKERS,
            Role.STATION_MANAGER: {},
            Role.REVIEWER: {},
            Role.SOCIAL_ORG: {},
            Role.AUDITOR: {"list": OWN_AND_BELOW},
            Role.SECURITY_ADMIN: {},
            Role.SYSTEM_ADMIN: {},
        },
    )
)
