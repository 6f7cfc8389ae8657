"""The inventory of personal information (PIPL; spec §11): every field of every installed model
whose name or label looks personal is declared either personal (with its mask, who sees it in
full, its retention) or not personal with a reason; masking follows the inventory."""

import re

import pytest
from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from yizhan.core import personal_data as pd
from yizhan.core.roles import Role
from yizhan.ledger.choices import FeedbackSource
from yizhan.ledger.models import Feedback
from yizhan.ledger.tests import conftest as ledger_fixtures

# What a field's name or verbose name says when it may hold personal information: a person's
# name, a phone or mobile number, an ID number, an e-mail, an address (IP or postal), an account.
LOOKS_PERSONAL_NAME = re.compile(
    r"name|phone|mobile|(^|_)tel($|_)|mail|id_?(card|number|no)|identity|(^|_)ip($|_)|addr|user_agent|http_accept"
)
LOOKS_PERSONAL_LABEL = re.compile(
    r"姓名|名字|姓氏|联系人|电话|手机|身份证|证件|邮箱|邮件|IP|地址|操作人|用户名", re.IGNORECASE
)

# A registered position and its unit tree (the feedback tests' fixtures).
dalian_map = ledger_fixtures.dalian_map
make_position = ledger_fixtures.make_position
station = ledger_fixtures.station


def looks_personal(field: models.Field) -> bool:
    return bool(LOOKS_PERSONAL_NAME.search(field.name) or LOOKS_PERSONAL_LABEL.search(str(field.verbose_name)))


def undeclared(model_classes) -> list[str]:
    personal = {(e.model, e.field) for e in pd.PERSONAL_FIELDS}
    public = {(e.model, e.field) for e in pd.NOT_PERSONAL}
    return [
        f"{model._meta.label_lower}.{field.name}"
        for model in model_classes
        for field in model._meta.concrete_fields
        if looks_personal(field) and (model._meta.label_lower, field.name) not in personal | public
    ]


def test_every_field_that_looks_personal_is_declared():
    assert undeclared(apps.get_models()) == []


@isolate_apps("yizhan.core")
def test_a_new_personal_field_is_caught():
    class Volunteer(models.Model):
        contact_mobile = models.CharField(max_length=20)
        note = models.CharField("身份证号", max_length=18)
        rating = models.IntegerField()

        class Meta:
            app_label = "core"

        def __str__(self) -> str:
            return self.contact_mobile

    assert undeclared([Volunteer]) == ["core.volunteer.contact_mobile", "core.volunteer.note"]


def test_every_declaration_names_a_real_field_once():
    declared = [(e.model, e.field) for e in (*pd.PERSONAL_FIELDS, *pd.NOT_PERSONAL)]
    assert len(declared) == len(set(declared))
    installed = {config.label for config in apps.get_app_configs()}
    for label, name in declared:
        if label.split(".")[0] in installed:
            apps.get_model(label)._meta.get_field(name)  # raises FieldDoesNotExist


@pytest.mark.parametrize("entry", pd.PERSONAL_FIELDS, ids=lambda e: f"{e.model}.{e.field}")
def test_every_personal_field_is_masked_for_those_without_need(entry):
    sample = {
        pd.Kind.PHONE: "13812345678",
        pd.Kind.IP_ADDRESS: "203.0.113.77",
        pd.Kind.EMAIL: "wanglei@example.com",
    }.get(entry.kind, "王小明的数据")
    masked = entry.mask(sample)
    assert masked and masked != sample and sample not in masked
    assert entry.kind in pd.Kind.values and str(entry.retention)
    assert entry.shown_to <= set(Role)


def test_shown_follows_the_inventory(station, dalian_map, make_actor):
    station.manager_name, station.manager_phone, station.public_phone = "张三丰", "13812345678", "0411-82345678"
    admin = make_actor(Role.UNIT_ADMIN, dalian_map["zs"])
    auditor = make_actor(Role.AUDITOR, dalian_map["city"])
    security = make_actor(Role.SECURITY_ADMIN, dalian_map["city"])
    # Spec §11: staff views mask the manager for everyone, admins included (they reveal, audited).
    assert pd.shown(admin, station, "manager_phone") == "138****5678"
    assert pd.shown(auditor, station, "manager_phone") == "138****5678"
    # A field shown in full to a role (an account's phone to the security admin who manages it).
    account = admin.user
    account.phone = "13912345678"
    assert pd.shown(security, account, "phone") == "13912345678"
    assert pd.shown(auditor, account, "phone") == "139****5678"
    assert pd.shown(auditor, station, "manager_name") == "张**"
    assert pd.shown(None, station, "manager_phone") == "138****5678"
    assert pd.shown(auditor, station, "public_phone") == "0411-82345678"  # public contact data


def test_feedback_masks_come_from_the_inventory(station):
    feedback = Feedback(position=station, rating=3, phone="13812345678", source=FeedbackSource.QR, client_key="k")
    snapshot = feedback.audit_snapshot()
    assert snapshot["phone"] == "138****5678" and snapshot["client_key"] == "***"
    assert feedback.masked_phone == "138****5678"


def test_who_may_reveal_follows_the_inventory():
    from yizhan.orgs.models import Unit
    from yizhan.positions.models import Position

    class _Actor:
        def __init__(self, role):
            self.role = role

    managers = {Role.FEDERATION_ADMIN, Role.UNIT_ADMIN, Role.STATION_MANAGER}
    for role in Role:
        assert pd.revealable_fields(_Actor(role), Position) == (
            ["manager_name", "manager_phone"] if role in managers else []
        ), role
        admins = {Role.FEDERATION_ADMIN, Role.UNIT_ADMIN}
        assert pd.revealable_fields(_Actor(role), Unit) == (["contact_name", "contact_phone"] if role in admins else [])
    assert pd.revealable_fields(None, Position) == []


def test_the_feedback_phone_is_revealed_to_those_who_handle_feedback():
    # ledger.services.feedback_phone_reveal checks the UPDATE permission; the inventory says the same.
    from yizhan.core.roles import Action, allowed

    entry = pd.personal_field("ledger.feedback", "phone")
    assert entry.revealed_to == {role for role in Role if allowed(role, Action.UPDATE, "ledger.feedback")}


def test_audit_masking_keeps_a_masked_value():
    snapshot = pd.audit_masked("positions.position", {"manager_phone": "138****5678", "manager_name": "张三丰"})
    assert snapshot == {"manager_phone": "138****5678", "manager_name": "张**"}


def test_the_audit_chain_keeps_an_accounts_email_and_phone_masked(dalian_map, make_actor):
    """Auditors read the chain, but only the security admin needs an account's email and phone."""
    from yizhan.core.models import AuditEntry
    from yizhan.orgs import services

    security = make_actor(Role.SECURITY_ADMIN, dalian_map["city"])
    user = services.account_create(
        actor=security,
        username="new_clerk",
        password="Qiangmima-2026",
        unit=dalian_map["zs"],
        role=Role.UNIT_ADMIN,
        phone="13912345678",
    )
    user.email = "clerk@example.org"
    user.save()
    snapshots = [
        entry.after or {} for entry in AuditEntry.objects.filter(object_type="orgs.user", object_id=str(user.pk))
    ]
    stored = " ".join(str(snapshot) for snapshot in snapshots)
    assert "13912345678" not in stored and "clerk@example.org" not in stored
    assert any(snapshot.get("phone") == "139****5678" for snapshot in snapshots)
