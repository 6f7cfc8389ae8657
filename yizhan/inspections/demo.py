"""Demo inspections of 大连市总工会 (idempotent): a completed spot-check draw over 中山区 and 西岗区
with its seed, its inspections in each state (planned, under way, submitted, confirmed), a mutual
check of a 中山区 station by 西岗区's admin, and rectifications open (one overdue), submitted with
a photo and accepted. Written through the services as fed_admin, zs_admin and station_mgr."""

from __future__ import annotations

import io
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from PIL import Image

from yizhan.core.scoping import Actor
from yizhan.inspections import services
from yizhan.inspections.choices import InspectionKind, InspectionState, RectificationState
from yizhan.inspections.models import Inspection, SpotCheckDraw
from yizhan.orgs.models import Membership, Unit
from yizhan.positions.choices import PositionKind, PositionState
from yizhan.positions.models import Position
from yizhan.standards.choices import VersionState
from yizhan.standards.models import StandardVersion

FEDERATION = "DL"
SEED = 20261206


def _actor(username: str, unit_code: str) -> Actor | None:
    membership = (
        Membership.objects.select_related("user", "unit").filter(user__username=username, unit__code=unit_code).first()
    )
    return Actor(user=membership.user, membership=membership) if membership else None


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 140, 90)).save(out, format="JPEG")
    return out.getvalue()


def _answers(inspection: Inspection, failing: tuple[str, ...]) -> dict:
    return {item.key: item.key not in failing for item in inspection.applicable_items()}


def _submit(actor, inspection, failing=(), summary=""):
    services.inspection_transition(actor=actor, inspection=inspection, to_state=InspectionState.IN_PROGRESS)
    services.inspection_findings_save(
        actor=actor,
        inspection=inspection,
        answers=_answers(inspection, failing),
        notes=dict.fromkeys(failing, "现场未见"),
        summary=summary,
    )
    return services.inspection_transition(actor=actor, inspection=inspection, to_state=InspectionState.SUBMITTED)


def load() -> list[str]:
    federation = Unit.objects.filter(code=FEDERATION).first()
    fed = _actor("fed_admin", FEDERATION)
    if federation is None or fed is None:
        return []
    if SpotCheckDraw.objects.filter(unit=federation).exists():
        return [
            f"  检查：已有 {Inspection.objects.filter(unit__path__startswith=federation.path).count()} 次（未重复创建）"
        ]
    version = (
        StandardVersion.objects.filter(
            standard__unit=federation, standard__code="nine-haves", state=VersionState.PUBLISHED
        )
        .select_related("standard")
        .first()
    )
    districts = list(Unit.objects.filter(code__in=("DL-ZS", "DL-XG")).order_by("path"))
    if version is None or len(districts) < 2:
        return []
    today = timezone.localdate()
    with transaction.atomic():
        draw = services.spot_check_draw(
            actor=fed,
            units=districts,
            version=version,
            ends_on=today + timedelta(days=30),
            size=4,
            seed=SEED,
            inspectors=[fed.user],
        )
        planned, under_way, submitted, confirmed = list(draw.inspections.order_by("pk"))[:4]
        # Under way: half of the items found so far.
        services.inspection_transition(actor=fed, inspection=under_way, to_state=InspectionState.IN_PROGRESS)
        half = under_way.applicable_items()[:4]
        services.inspection_findings_save(actor=fed, inspection=under_way, answers={item.key: True for item in half})
        # Submitted with a failing item: a rectification open, already past its deadline.
        submitted = _submit(fed, submitted, failing=("online_map",), summary="线上地图未标注")
        finding = submitted.findings.get(item__key="online_map")
        overdue = services.rectification_open(
            actor=fed, finding=finding, deadline=today, requirement="在线上地图标注站点位置与开放时间"
        )
        overdue.deadline = today - timedelta(days=3)  # opened two weeks ago with an 11-day deadline
        overdue.save()
        # Confirmed with two failing items: one rectification submitted with a photo, one accepted.
        confirmed = _submit(fed, confirmed, failing=("unified_signage", "management_rules"), summary="标识与制度待完善")
        services.inspection_transition(actor=fed, inspection=confirmed, to_state=InspectionState.CONFIRMED)
        owner_actor = (
            _actor("zs_admin", "DL-ZS")
            if confirmed.position.unit.path.startswith(districts[0].path)
            else _actor("xg_admin", "DL-XG")
        )
        for key, accept in (("unified_signage", False), ("management_rules", True)):
            finding = confirmed.findings.filter(item__key=key).first()
            if finding is None:
                continue
            rectification = services.rectification_open(
                actor=fed,
                finding=finding,
                deadline=today + timedelta(days=14),
                requirement=f"整改：{finding.item.text}",
            )
            owner = owner_actor if owner_actor and owner_actor.covers_unit(rectification.owner_unit) else fed
            services.rectification_submit(actor=owner, rectification=rectification, photos=[_photo()], note="已整改")
            if accept:
                services.rectification_transition(
                    actor=fed, rectification=rectification, to_state=RectificationState.ACCEPTED
                )
        # A mutual check: 西岗区's admin inspects a 中山区 station not drawn above.
        xg = _actor("xg_admin", "DL-XG")
        drawn = draw.inspections.values_list("position_id", flat=True)
        target = (
            Position.objects.filter(
                unit__path__startswith=districts[0].path, state=PositionState.OPERATING, kind=PositionKind.STATION
            )
            .exclude(pk__in=drawn)
            .order_by("code")
            .first()
        )
        if xg is not None and target is not None and districts[0].code == "DL-ZS":
            services.inspection_create(
                actor=fed,
                position=target,
                version=version,
                kind=InspectionKind.MUTUAL,
                ends_on=today + timedelta(days=14),
                inspecting_unit=Unit.objects.get(code="DL-XG"),
                inspectors=[xg.user],
            )
    del planned
    return [f"  检查：随机抽查 1 次（种子 {SEED}），检查 {draw.inspections.count()} 次，互检 1 次，整改 3 项"]
