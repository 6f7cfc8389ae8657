"""Standards as versioned data (issue 16 §1): the shipped defaults, drafts, publication, and the
rule that a published version never changes."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yizhan.core.audit import audit_context, audit_verify
from yizhan.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from yizhan.core.models import AuditAction, AuditEntry
from yizhan.core.roles import Role
from yizhan.orgs.choices import UnitType
from yizhan.orgs.models import Unit
from yizhan.orgs.services import federation_setup
from yizhan.orgs.signals import federation_created
from yizhan.positions.choices import OPTIONAL_FACILITIES, REQUIRED_FACILITIES
from yizhan.standards import services
from yizhan.standards.choices import CheckType, VersionState
from yizhan.standards.defaults import DEFAULT_STANDARDS
from yizhan.standards.models import Standard, StandardItem, StandardVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def federation(dalian):
    with audit_context(actor_name="test"):
        services.standard_defaults_load(unit=dalian["city"])
    return dalian["city"]


@pytest.fixture
def admin(make_actor, dalian):
    return make_actor(Role.FEDERATION_ADMIN, dalian["city"])


def _standard(unit, code):
    return Standard.objects.get(unit=unit, code=code)


def _current(standard):
    return standard.versions.get(state=VersionState.PUBLISHED)


def test_the_shipped_defaults_follow_spec_section_3(federation):
    codes = set(Standard.objects.filter(unit=federation).values_list("code", flat=True))
    assert codes == {
        "nine-haves",
        "eight-haves",
        "six-haves",
        "facilities",
        "centre-area",
        "centre-services",
        "star-rating",
    }
    nine = _current(_standard(federation, "nine-haves"))
    assert nine.number == 1 and nine.items.count() == 9
    assert [i.text for i in nine.items.all()][-1] == "有网上地图可查"
    # 八有 is named but not listed: an editable copy of 九有.
    eight = _current(_standard(federation, "eight-haves"))
    assert [i.text for i in eight.items.all()] == [i.text for i in nine.items.all()]
    six = _current(_standard(federation, "six-haves"))
    assert six.items.count() == 6 and all(i.kinds == ["centre"] for i in six.items.all())
    facilities = _current(_standard(federation, "facilities"))
    required = facilities.items.filter(required=True)
    assert set(required.values_list("key", flat=True)) == {str(f) for f in REQUIRED_FACILITIES}
    assert facilities.items.filter(required=False).count() == len(OPTIONAL_FACILITIES) == 8
    # Spec §4's site points: 4 × 6 required (通水通电 is required but scores nothing) + 2 × 8 optional.
    assert sum(i.points for i in facilities.items.all()) == Decimal(40)
    area = {i.key: i for i in _current(_standard(federation, "centre-area")).items.all()}
    assert area["district_total"].minimum == 300 and area["district_total"].centre_levels == ["district"]
    assert area["district_hall"].minimum == 100 and area["district_other"].minimum == 200
    assert area["street_total"].minimum == 200 and area["enterprise_total"].minimum == 100
    assert area["enterprise_soe_total"].minimum == 200 and not area["enterprise_soe_total"].required
    assert all(i.check_type == CheckType.NUMBER for i in area.values())
    rating = _current(_standard(federation, "star-rating"))
    assert sum(i.points for i in rating.items.all()) == Decimal(60)  # site 40 + management 20 (spec §4)
    services_items = _current(_standard(federation, "centre-services")).items
    assert services_items.filter(key__startswith="street_basic").count() == 6
    assert services_items.filter(key__startswith="street_optional", required=False).count() == 7
    assert services_items.filter(key__startswith="enterprise_basic").count() == 9
    assert services_items.filter(key__startswith="wall_notice").count() == 7


def test_loading_the_defaults_again_changes_nothing(federation):
    entries = AuditEntry.objects.count()
    with audit_context(actor_name="test"):
        assert services.standard_defaults_load(unit=federation) == []
    assert AuditEntry.objects.count() == entries
    assert StandardVersion.objects.filter(standard__unit=federation).count() == 7


def test_the_command_loads_a_federation_once(dalian, capsys):
    call_command("standards_load", "DL")
    assert "新增标准 7 项" in capsys.readouterr().out
    call_command("standards_load", "DL")
    assert "未作改动" in capsys.readouterr().out


def test_a_draft_copies_the_published_version_and_publishing_supersedes_it(federation, admin):
    standard = _standard(federation, "nine-haves")
    first = _current(standard)
    draft = services.standard_draft_create(actor=admin, standard=standard, note="2027 修订")
    assert (draft.number, draft.state) == (2, VersionState.DRAFT)
    assert list(draft.items.values_list("key", "text")) == list(first.items.values_list("key", "text"))
    with pytest.raises(ApplicationError, match="已有草稿"):
        services.standard_draft_create(actor=admin, standard=standard)
    item = draft.items.get(key="online_map")
    services.standard_item_update(actor=admin, item=item, text="有网上地图可查（高德、百度）")
    services.standard_item_add(actor=admin, version=draft, key="first_aid", text="有急救培训人员")
    services.standard_version_publish(actor=admin, version=draft)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.state == VersionState.SUPERSEDED and draft.state == VersionState.PUBLISHED
    assert draft.published_at is not None
    # The old version keeps what it said: assessments made against it still read it.
    assert first.items.get(key="online_map").text == "有网上地图可查"
    assert not first.items.filter(key="first_aid").exists()
    assert draft.items.count() == 10


def test_a_published_or_superseded_version_never_changes(federation, admin):
    standard = _standard(federation, "six-haves")
    first = _current(standard)
    item = first.items.first()
    with pytest.raises(ApplicationError, match="已发布版本不能修改"):
        services.standard_item_update(actor=admin, item=item, text="改")
    with pytest.raises(ApplicationError, match="已发布版本不能修改"):
        services.standard_item_add(actor=admin, version=first, key="x", text="新条目")
    with pytest.raises(ApplicationError, match="已发布版本不能修改"):
        services.standard_item_remove(actor=admin, item=item)
    with pytest.raises(ApplicationError, match="只能发布草稿"):
        services.standard_version_publish(actor=admin, version=first)
    # Below the services, the item itself refuses a save or a delete of a frozen version.
    item.text = "改"
    with pytest.raises(ApplicationError), audit_context(actor_name="test"):
        item.save()
    with pytest.raises(ApplicationError), audit_context(actor_name="test"):
        StandardItem.objects.get(pk=item.pk).delete()
    draft = services.standard_draft_create(actor=admin, standard=standard)
    services.standard_version_publish(actor=admin, version=draft)
    first.refresh_from_db()
    assert first.state == VersionState.SUPERSEDED
    with pytest.raises(ApplicationError, match="已发布版本不能修改"):
        services.standard_item_update(actor=admin, item=first.items.first(), text="改")
    assert StandardItem.objects.get(pk=item.pk).text == "有接待服务大厅"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"check_type": "number"}, "minimum"),
        ({"check_type": "number", "minimum": "-1"}, "minimum"),
        ({"check_type": "choice", "choices": ["有", "无"]}, "choices"),
        ({"check_type": "choice", "choices": ["有", "无"], "passing_choices": ["好"]}, "passing_choices"),
        ({"kinds": ["kiosk"]}, "kinds"),
        ({"centre_levels": ["national"]}, "centre_levels"),
        ({"points": "101"}, "points"),
        ({"points": "abc"}, "points"),
        ({"text": "  "}, "text"),
        ({"key": "fixed_space"}, "key"),
    ],
)
def test_a_bad_item_is_refused_with_its_field(federation, admin, fields, field):
    draft = services.standard_draft_create(actor=admin, standard=_standard(federation, "nine-haves"))
    before = draft.items.count()
    with pytest.raises(ApplicationError) as refused:
        services.standard_item_add(actor=admin, version=draft, **{"key": "new", "text": "新条目", **fields})
    assert refused.value.field == field
    assert draft.items.count() == before


def test_a_number_item_keeps_its_minimum_and_a_choice_item_its_choices(federation, admin):
    draft = services.standard_draft_create(actor=admin, standard=_standard(federation, "centre-area"))
    area = services.standard_item_add(
        actor=admin, version=draft, key="hall", text="大厅面积", check_type="number", minimum="120.5"
    )
    assert area.minimum == Decimal("120.5") and area.order == 7
    choice = services.standard_item_add(
        actor=admin,
        version=draft,
        key="signage",
        text="标识",
        check_type="choice",
        choices=["统一标识", "自制标识", "无"],
        passing_choices=["统一标识"],
    )
    assert choice.passing_choices == ["统一标识"]


def test_only_the_federation_admin_in_scope_edits(federation, dalian, make_actor, make_unit):
    standard = _standard(federation, "nine-haves")
    district_admin = make_actor(Role.UNIT_ADMIN, dalian["zs"])
    with pytest.raises(PermissionDeniedError):
        services.standard_draft_create(actor=district_admin, standard=standard)
    elsewhere = make_actor(Role.FEDERATION_ADMIN, make_unit(UnitType.CITY_FEDERATION))
    with pytest.raises(NotFoundError):
        services.standard_draft_create(actor=elsewhere, standard=standard)
    assert not standard.versions.filter(state=VersionState.DRAFT).exists()


def test_the_api_drafts_edits_and_publishes(federation, dalian, make_user, login):
    client = login(make_user(Role.FEDERATION_ADMIN, dalian["city"]))
    listed = client.get("/api/v1/standards").json()
    nine = next(s for s in listed if s["code"] == "nine-haves")
    assert nine["current_version"] == 1 and nine["draft_version"] is None
    draft = client.post(f"/api/v1/standards/{nine['id']}/drafts", {"note": "修订"}, content_type="application/json")
    assert draft.status_code == 201 and draft.json()["number"] == 2
    item_id = draft.json()["items"][0]["id"]
    patched = client.patch(f"/api/v1/standards/items/{item_id}", {"points": "5"}, content_type="application/json")
    assert patched.status_code == 200 and Decimal(patched.json()["points"]) == 5
    bad = client.post(
        f"/api/v1/standards/versions/{draft.json()['id']}/items",
        {"key": "area", "text": "面积", "check_type": "number"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "minimum"
    published = client.post(f"/api/v1/standards/versions/{draft.json()['id']}/publish")
    assert published.status_code == 200 and published.json()["state"] == "published"
    frozen = client.patch(f"/api/v1/standards/items/{item_id}", {"points": "1"}, content_type="application/json")
    assert frozen.status_code == 400 and "已发布版本不能修改" in frozen.json()["detail"]
    detail = client.get(f"/api/v1/standards/{nine['id']}").json()
    assert [(v["number"], v["state"]) for v in detail["versions"]] == [(2, "published"), (1, "superseded")]


# --- a federation set up gets the defaults (orgs.signals.federation_created) --------------------


def _loaded(unit) -> dict[str, tuple]:
    """code → (state, number, item count) of each of the unit's standard versions."""
    return {
        v.standard.code: (v.state, v.number, v.items.count())
        for v in StandardVersion.objects.filter(standard__unit=unit).select_related("standard")
    }


def test_federation_create_gives_a_new_federation_the_published_defaults(make_actor):
    out = StringIO()
    call_command("federation_create", name="郑州市总工会", code="ZZ", adcode="410100", stdout=out)
    assert "建设标准：已载入预置标准 7 项（第1版，已发布）" in out.getvalue()
    zz = Unit.objects.get(code="ZZ")
    expected = {
        code: (VersionState.PUBLISHED, 1, len(items)) for code, (_n, _s, _d, items) in DEFAULT_STANDARDS.items()
    }
    assert _loaded(zz) == expected
    # Audited like any write: one CREATE entry per row, the set-up's actor and the federation's unit.
    rows = [
        *Standard.objects.filter(unit=zz),
        *StandardVersion.objects.filter(standard__unit=zz),
        *StandardItem.objects.filter(version__standard__unit=zz),
    ]
    entries = AuditEntry.objects.filter(object_type__startswith="standards.")
    assert sorted(entries.values_list("object_type", "object_id")) == sorted(
        (row._meta.label_lower, str(row.pk)) for row in rows
    )
    assert set(entries.values_list("action", "actor_name", "unit_path")) == {
        (AuditAction.CREATE, "命令行:federation-create", zz.path)
    }
    assert audit_verify().ok
    # What the federation admin then does with them works as with standards loaded any other way.
    admin = make_actor(Role.FEDERATION_ADMIN, zz)
    draft = services.standard_draft_create(actor=admin, standard=_standard(zz, "nine-haves"))
    assert draft.number == 2 and draft.items.count() == 9


def test_setting_up_and_loading_again_creates_nothing_twice():
    call_command("federation_create", name="郑州市总工会", code="ZZ", adcode="410100", stdout=StringIO())
    zz = Unit.objects.get(code="ZZ")
    before, entries = _loaded(zz), AuditEntry.objects.count()
    out = StringIO()
    call_command("standards_load", "ZZ", stdout=out)
    assert "未作改动" in out.getvalue()
    with pytest.raises(CommandError):  # the same federation again: refused, nothing written
        call_command("federation_create", name="郑州市总工会", code="ZZ", adcode="410100", stdout=StringIO())
    # The receiver itself, sent again: the standards the federation has are left alone.
    with audit_context(actor_name="test"):
        federation_created.send(sender=Unit, unit=zz)
    assert _loaded(zz) == before and AuditEntry.objects.count() == entries
    assert Standard.objects.count() == len(DEFAULT_STANDARDS)


def test_only_a_top_level_federation_gets_its_own_defaults(dalian):
    with audit_context(actor_name="test"):
        notes = [note for _r, note in federation_created.send(sender=Unit, unit=dalian["zs"])]
    assert not Standard.objects.exists() and not any(notes)  # a unit below reads its federation's
    with audit_context(actor_name="test"):
        notes = [note for _r, note in federation_created.send(sender=Unit, unit=dalian["city"])]
    assert set(_loaded(dalian["city"])) == set(DEFAULT_STANDARDS) and any(notes)


def test_units_created_without_the_set_up_get_no_standards(dalian):
    # The tests' factories and the demos place units with `federation_create`: no standards, no cost.
    assert not Standard.objects.exists()


def test_a_receiver_that_fails_undoes_the_whole_set_up():
    def broken(sender, **kwargs):
        raise ApplicationError("坏了")

    federation_created.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(ApplicationError):
            federation_setup(code="ZZ", name="郑州市总工会", adcode="410100", security_admin="zz_security")
    finally:
        federation_created.disconnect(dispatch_uid="test.broken")
    assert not Unit.objects.filter(code="ZZ").exists() and not Standard.objects.exists()
