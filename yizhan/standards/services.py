"""Writes of standards (issue 16 §1). A federation admin copies the published version into a
draft, edits the draft's items and publishes it as the next version, which supersedes the one
before. Published and superseded versions never change: every edit below refuses them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.audit import audit_create_records, audit_write_many
from yizhan.core.bulk import bulk_insert
from yizhan.core.errors import ApplicationError
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, require, require_in_scope
from yizhan.core.wording import enumeration
from yizhan.positions.choices import CentreLevel, PositionKind
from yizhan.standards.choices import CheckType, VersionState
from yizhan.standards.defaults import DEFAULT_STANDARDS, item_fields
from yizhan.standards.models import VERSION_FROZEN, RatingPolicyVersion, Standard, StandardItem, StandardVersion
from yizhan.standards.rating import RatingPolicy

DRAFT_EXISTS = _("该标准已有草稿（第{number}版），请先发布或继续编辑它")
NOTHING_TO_PUBLISH = _("草稿没有任何条目，不能发布")
NOT_A_DRAFT = _("只能发布草稿")
KEY_TAKEN = _("条目代码“{key}”在本版本中已存在")
UNKNOWN_KINDS = _("适用阵地类型无效：{values}")
UNKNOWN_LEVELS = _("适用中心层级无效：{values}")
MINIMUM_NEEDED = _("数值检查的条目须填写最小值")
MINIMUM_INVALID = _("最小值须为不小于 0 的数")
CHOICES_NEEDED = _("选项检查的条目须至少有两个选项，并指明合格选项")
PASSING_NOT_A_CHOICE = _("合格选项须是选项之一：{values}")
POINTS_INVALID = _("分值须为 0 至 100 之间的数")
TEXT_NEEDED = _("请填写条目内容")
UNKNOWN_FIELDS = _("不能修改这些字段：{fields}")

ITEM_FIELDS = (
    "order",
    "key",
    "group",
    "text",
    "kinds",
    "centre_levels",
    "check_type",
    "minimum",
    "unit_label",
    "choices",
    "passing_choices",
    "required",
    "points",
)


def _decimal(value, message, *, field: str, low: Decimal, high: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ApplicationError(message, field=field) from error
    if not number.is_finite() or number < low or (high is not None and number > high):
        raise ApplicationError(message, field=field)
    return number


def _check_item(item: StandardItem) -> None:
    """The rules of one item, whoever writes it (draft edits and the default loader)."""
    if not str(item.text).strip():
        raise ApplicationError(TEXT_NEEDED, field="text")
    bad = sorted(set(item.kinds) - set(PositionKind.values))
    if bad:
        raise ApplicationError(UNKNOWN_KINDS.format(values=enumeration(map(str, bad))), field="kinds")
    bad = sorted(set(item.centre_levels) - set(CentreLevel.values))
    if bad:
        raise ApplicationError(UNKNOWN_LEVELS.format(values=enumeration(map(str, bad))), field="centre_levels")
    if item.check_type not in CheckType.values:
        raise ApplicationError(_("检查方式无效"), field="check_type")
    item.points = _decimal(item.points, POINTS_INVALID, field="points", low=Decimal(0), high=Decimal(100))
    if item.check_type == CheckType.NUMBER:
        if item.minimum in (None, ""):
            raise ApplicationError(MINIMUM_NEEDED, field="minimum")
        item.minimum = _decimal(item.minimum, MINIMUM_INVALID, field="minimum", low=Decimal(0))
    else:
        item.minimum = None
    if item.check_type == CheckType.CHOICE:
        if len(item.choices) < 2 or not item.passing_choices:
            raise ApplicationError(CHOICES_NEEDED, field="choices")
        bad = sorted(set(item.passing_choices) - set(item.choices))
        if bad:
            raise ApplicationError(PASSING_NOT_A_CHOICE.format(values=enumeration(bad)), field="passing_choices")
    else:
        item.choices, item.passing_choices = [], []


def _locked_draft(version: StandardVersion) -> StandardVersion:
    version = StandardVersion.objects.select_for_update().select_related("standard__unit").get(pk=version.pk)
    if version.state != VersionState.DRAFT:
        raise ApplicationError(VERSION_FROZEN, field="version")
    return version


def _copy_items(source: StandardVersion | None, target: StandardVersion) -> None:
    if source is None:
        return
    for item in source.items.order_by("order", "pk"):
        StandardItem(version=target, **{name: getattr(item, name) for name in ITEM_FIELDS}).save()


@transaction.atomic
def standard_draft_create(*, actor: Actor, standard: Standard, note: str = "") -> StandardVersion:
    """A draft of the next version of `standard`, a copy of its published version's items (or of
    its latest version's when none is published)."""
    require(actor, Action.CREATE, Standard)
    standard = Standard.objects.select_for_update().select_related("unit").get(pk=standard.pk)
    require_in_scope(actor, standard.unit)
    return _draft_create(standard, note=note)


def _draft_create(standard: Standard, *, note: str = "") -> StandardVersion:
    draft = standard.versions.filter(state=VersionState.DRAFT).first()
    if draft is not None:
        raise ApplicationError(DRAFT_EXISTS.format(number=draft.number), field="standard")
    source = (
        standard.versions.filter(state=VersionState.PUBLISHED).first() or standard.versions.order_by("-number").first()
    )
    number = (standard.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = StandardVersion(standard=standard, number=number, note=note)
    version.save()
    _copy_items(source, version)
    return version


@transaction.atomic
def standard_item_add(*, actor: Actor, version: StandardVersion, **fields) -> StandardItem:
    """Add an item to a draft (at the end unless `order` is given)."""
    require(actor, Action.UPDATE, Standard)
    version = _locked_draft(version)
    require_in_scope(actor, version.standard.unit)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))
    if version.items.filter(key=fields.get("key", "")).exists():
        raise ApplicationError(KEY_TAKEN.format(key=fields.get("key")), field="key")
    fields.setdefault("order", (version.items.aggregate(top=Max("order"))["top"] or 0) + 1)
    item = StandardItem(version=version, **fields)
    _check_item(item)
    item.save()
    return item


@transaction.atomic
def standard_item_update(*, actor: Actor, item: StandardItem, **changes) -> StandardItem:
    """Change an item of a draft; an item of a published or superseded version is refused."""
    require(actor, Action.UPDATE, Standard)
    version = _locked_draft(item.version)
    require_in_scope(actor, version.standard.unit)
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise ApplicationError(UNKNOWN_FIELDS.format(fields=", ".join(sorted(unknown))))
    item = StandardItem.objects.get(pk=item.pk)
    if "key" in changes and version.items.filter(key=changes["key"]).exclude(pk=item.pk).exists():
        raise ApplicationError(KEY_TAKEN.format(key=changes["key"]), field="key")
    for name, value in changes.items():
        setattr(item, name, value)
    _check_item(item)
    item.save()
    return item


@transaction.atomic
def standard_item_remove(*, actor: Actor, item: StandardItem) -> None:
    """Remove an item from a draft."""
    require(actor, Action.UPDATE, Standard)
    version = _locked_draft(item.version)
    require_in_scope(actor, version.standard.unit)
    StandardItem.objects.get(pk=item.pk).delete()


@transaction.atomic
def standard_version_publish(*, actor: Actor, version: StandardVersion) -> StandardVersion:
    """Publish a draft: it becomes the standard's current version and the one before is
    superseded. Assessments keep pointing to the version they used."""
    require(actor, Action.UPDATE, Standard)
    version = StandardVersion.objects.select_for_update().select_related("standard__unit").get(pk=version.pk)
    require_in_scope(actor, version.standard.unit)
    return _publish(version)


def _publish(version: StandardVersion) -> StandardVersion:
    if version.state != VersionState.DRAFT:
        raise ApplicationError(NOT_A_DRAFT, field="version")
    if not version.items.exists():
        raise ApplicationError(NOTHING_TO_PUBLISH, field="version")
    now = timezone.now()
    for previous in StandardVersion.objects.select_for_update().filter(
        standard=version.standard, state=VersionState.PUBLISHED
    ):
        previous.state = VersionState.SUPERSEDED
        previous.save()
    version.state, version.published_at = VersionState.PUBLISHED, now
    version.save()
    return version


@transaction.atomic
def standard_defaults_load(*, unit) -> list[Standard]:
    """Version 1 of each shipped standard (spec §3) for the federation `unit`, published; a
    standard the unit already has (by code) is left as it is. Run when a federation is set up
    (`federation_created`, below), by the demo and by `yizhan standards-load`; returns the
    standards created.

    The rows (7 standards, their versions, about 90 items) go in with `core.bulk`, each with its
    own CREATE entry in the audit chain written in one batch: saved one by one they cost 140 ms,
    paid by every federation set up, the tests' included. A version is created published, as
    `_publish` would leave it; the items are checked as `standard_item_add` checks them."""
    have = set(Standard.objects.filter(unit=unit).values_list("code", flat=True))
    now = timezone.now()
    standards, versions, items = [], [], []
    for code, (name, source, description, entries) in DEFAULT_STANDARDS.items():
        if code in have:
            continue
        standard = Standard(unit=unit, code=code, name=name, source=source, description=description)
        version = StandardVersion(
            standard=standard, number=1, note="系统预置", state=VersionState.PUBLISHED, published_at=now
        )
        for order, (key, text, options) in enumerate(entries, 1):
            item = StandardItem(version=version, **item_fields(order, key, text, options))
            _check_item(item)
            items.append(item)
        standards.append(standard)
        versions.append(version)
    if not standards:
        return []
    for batch in (standards, versions, items):
        bulk_insert(batch)
    audit_write_many(audit_create_records([*standards, *versions, *items]))
    return standards


def federation_defaults_load(sender, *, unit, **kwargs) -> str:
    """Receiver of `orgs.signals.federation_created` (connected in `StandardsConfig.ready`): a
    new top-level federation gets the shipped standards, in the set-up's transaction and audit
    context. A federation below another reads its parent's (an assessment takes a standard of
    the position's unit or any unit above); `yizhan standards-load` gives it its own. The rating
    policy needs nothing: without a published one, `rating_policy_for` rates by the default."""
    if not unit.is_root():
        return ""
    created = standard_defaults_load(unit=unit)
    # A line for the operator's console (the command prints it), like the commands' own output.
    return f"建设标准：已载入预置标准 {len(created)} 项（第1版，已发布）" if created else ""


# --- the star-rating policy as versioned data ---------------------------------------------------

POLICY_INVALID = _("评星规则无效：{reason}")


@transaction.atomic
def rating_policy_draft_save(*, actor: Actor, unit, data: dict, note: str = "") -> RatingPolicyVersion:
    """Write the federation `unit`'s draft policy (a new draft numbered after the last version, or
    the draft there is). The data is checked as `RatingPolicy.from_data` reads it."""
    require(actor, Action.UPDATE, Standard)
    require_in_scope(actor, unit)
    try:
        data = RatingPolicy.from_data(data).to_data()
    except (ValueError, TypeError, KeyError, AttributeError, InvalidOperation) as error:
        raise ApplicationError(POLICY_INVALID.format(reason=error), field="data") from error
    draft = RatingPolicyVersion.objects.select_for_update().filter(unit=unit, state=VersionState.DRAFT).first()
    if draft is None:
        number = (RatingPolicyVersion.objects.filter(unit=unit).aggregate(top=Max("number"))["top"] or 0) + 1
        draft = RatingPolicyVersion(unit=unit, number=number)
    draft.data, draft.note = data, note
    draft.save()
    return draft


@transaction.atomic
def rating_policy_publish(*, actor: Actor, version: RatingPolicyVersion) -> RatingPolicyVersion:
    """Publish a draft policy; the one before is superseded. Ratings keep the version they used."""
    require(actor, Action.UPDATE, Standard)
    version = RatingPolicyVersion.objects.select_for_update().select_related("unit").get(pk=version.pk)
    require_in_scope(actor, version.unit)
    if version.state != VersionState.DRAFT:
        raise ApplicationError(NOT_A_DRAFT, field="version")
    for previous in RatingPolicyVersion.objects.select_for_update().filter(
        unit=version.unit, state=VersionState.PUBLISHED
    ):
        previous.state = VersionState.SUPERSEDED
        previous.save()
    version.state, version.published_at = VersionState.PUBLISHED, timezone.now()
    version.save()
    return version
