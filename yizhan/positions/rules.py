"""Rules of a single position record that need no database (spec §2): official naming, facility,
ability and service lists, distances, plausible dates and text lengths (spec §11, bad input)."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.hours import HoursOverride, OpeningStatus, opening_status
from yizhan.positions.choices import Ability, Facility, PositionKind, PositionState, ServedGroup, Service

STATION_PREFIX = "工会户外劳动者服务站点·"
# Dots people type for the separator; stored as the middle dot of the official format.
_DOT_VARIANTS = re.compile(r"[•・‧∙⋅·．.]")

NAME_STATION = _("户外劳动者服务站点的规范名称应为“工会户外劳动者服务站点·站点名”")
NAME_CENTRE = _("职工服务中心的规范名称应为“××职工服务中心”")
NAME_WORK_STATION = _("工作站的规范名称应为“××职工服务中心××工作站”")
NAME_WORK_STATION_CENTRE = _("工作站名称应以所属服务中心的名称“{centre}”开头")
UNKNOWN_CHOICE = _("“{value}”不是有效的{what}")
DUPLICATE_CHOICE = _("{what}中“{value}”重复")
TEXT_TOO_LONG = _("“{field}”最多 {limit} 个字，现有 {length} 个字")
DATE_TOO_EARLY = _("“{field}”{value} 早于 {earliest}，请检查年份")
DATE_IN_FUTURE = _("“{field}”{value} 晚于今天（{today}），只能填写已经发生的日期")

# Dates of things that have happened (spec §2: date opened, signage issued, verified-on, and the
# star rating's award): never in the future, never before YIZHAN_EARLIEST_DATE. The expected
# reopening of a suspension is the one date of a position that lies ahead.
PAST_EVENT_DATES = ("verified_on", "signage_issued_on", "opened_on", "star_rated_on")


def normalise_official_name(kind: str, name: str) -> str:
    """Trim, and write the station separator as the official middle dot."""
    name = re.sub(r"\s+", "", name or "")
    stem = STATION_PREFIX[:-1]
    if (
        kind == PositionKind.STATION
        and name.startswith(stem)
        and _DOT_VARIANTS.fullmatch(name[len(stem) : len(stem) + 1])
    ):
        name = STATION_PREFIX + name[len(stem) + 1 :]
    return name


# What registries call a station inside its own name (上街区中心路工会驿站, 工会户外劳动者爱心驿站(…)),
# longest first: left out when an official name is composed from such a name.
_STATION_WORDS = sorted(
    (
        "工会户外劳动者服务站点", "户外劳动者服务站点", "工会户外劳动者服务站", "户外劳动者服务站",
        "工会户外劳动者爱心驿站", "户外劳动者爱心驿站", "工会户外劳动者驿站", "户外劳动者驿站",
        "工会爱心驿站", "爱心驿站", "工会驿站", "职工驿站", "劳动者驿站", "驿站",
    ),
    key=len,
    reverse=True,
)  # fmt: skip
_EDGE_PUNCTUATION = "·•・‧∙⋅．.-—–_、,，:：;； "


def station_official_name(name: str) -> str:
    """The official name (spec §2: 工会户外劳动者服务站点·XXX, XXX the site's own name) of a station that
    a registry names its own way (issue 14 §4): the name without spaces, with full-width brackets,
    less the first word that only says "station" (工会驿站, 爱心驿站 …); a name that is then only a
    bracketed place is unbracketed (工会户外劳动者爱心驿站(二七广场) → 二七广场); nothing left keeps the
    whole name."""
    cleaned = re.sub(r"\s+", "", name or "").replace("(", "（").replace(")", "）")
    site = cleaned
    for word in _STATION_WORDS:
        if word in site:
            site = site.replace(word, "", 1)
            break
    site = site.strip(_EDGE_PUNCTUATION)
    if re.fullmatch(r"（[^（）]+）", site):
        site = site[1:-1]
    return normalise_official_name(PositionKind.STATION, STATION_PREFIX + (site or cleaned))


def official_name_problem(kind: str, name: str, parent_centre_name: str = "") -> str | None:
    """Why `name` breaks the naming rule of spec §2 for `kind`, or None when it follows it."""
    if kind == PositionKind.STATION:
        if not name.startswith(STATION_PREFIX) or len(name) <= len(STATION_PREFIX):
            return str(NAME_STATION)
    elif kind == PositionKind.CENTRE:
        if not re.fullmatch(r".+职工服务中心", name) or name.count("职工服务中心") != 1:
            return str(NAME_CENTRE)
    elif kind == PositionKind.WORK_STATION:
        if not re.fullmatch(r".+职工服务中心.+工作站", name):
            return str(NAME_WORK_STATION)
        if parent_centre_name and not name.startswith(parent_centre_name):
            return NAME_WORK_STATION_CENTRE.format(centre=parent_centre_name)
    return None


LISTS = {
    "facilities": (Facility, _("设施")),
    "abilities": (Ability, _("六能")),
    "services": (Service, _("六服务")),
    "served_groups": (ServedGroup, _("服务对象")),
}


# Each enumeration's values and their position (Django rebuilds `enum.values` on every access).
_ORDER = {field: {value: i for i, value in enumerate(enum.values)} for field, (enum, _what) in LISTS.items()}


def clean_choice_list(field: str, values) -> list[str]:
    """A list field of choices, checked and in the enumeration's order. ValueError names the problem."""
    enum, what = LISTS[field]
    order = _ORDER[field]
    values = list(values or [])
    seen = set()
    for value in values:
        if value not in order:
            raise ValueError(UNKNOWN_CHOICE.format(value=value, what=what))
        if value in seen:
            raise ValueError(DUPLICATE_CHOICE.format(value=value, what=what))
        seen.add(value)
    return sorted(seen, key=order.__getitem__)


# Initials of each run of Chinese characters seen (bounded): names share their districts, streets
# and suffixes, and an import computes initials for every row.
_RUN_INITIALS: dict[str, str] = {}
_RUN_INITIALS_LIMIT = 50_000


def pinyin_initials(*names: str) -> str:
    """Lower-case pinyin initials of the distinctive part of each name, space-separated
    ("工会户外劳动者服务站点·西岗八一路" → "xgbyl").

    pypinyin cuts a text into runs of characters that have a pinyin and runs that do not, and reads
    each run on its own (words are looked up inside a run, never across one): so a name's initials
    are its runs' initials in order, the other runs giving none, and each run is read once."""
    from pypinyin.constants import RE_HANS
    from pypinyin.seg.simpleseg import simple_seg

    parts = []
    for name in names:
        if not name:
            continue
        core = name.removeprefix(STATION_PREFIX)
        letters = "".join(_run_initials(run) for run in simple_seg(core) if RE_HANS.match(run))
        if letters:
            parts.append(letters.lower())
    return " ".join(dict.fromkeys(parts))[:80]


def _run_initials(run: str) -> str:
    letters = _RUN_INITIALS.get(run)
    if letters is None:
        from pypinyin import Style, lazy_pinyin

        letters = "".join(p[0] for p in lazy_pinyin(run, style=Style.FIRST_LETTER, errors="ignore") if p)
        if len(_RUN_INITIALS) < _RUN_INITIALS_LIMIT:
            _RUN_INITIALS[run] = letters
    return letters


def past_date_problem(label: str, value: date | None, *, today: date) -> str | None:
    """Why `value`, the date of a past event named `label`, is implausible (spec §11: bad input is
    refused with a message, never stored): before YIZHAN_EARLIEST_DATE (0001-01-01, a spreadsheet's
    1900 epoch, a slipped year) or after `today`. None when it is plausible or not given."""
    if value is None:
        return None
    earliest = settings.YIZHAN_EARLIEST_DATE
    if value < earliest:
        return DATE_TOO_EARLY.format(field=label, value=value.isoformat(), earliest=earliest.isoformat())
    if value > today:
        return DATE_IN_FUTURE.format(field=label, value=value.isoformat(), today=today.isoformat())
    return None


def record_date_problem(obj: models.Model, names, *, today: date) -> tuple[str, str] | None:
    """(field, message) of the first of the past-event date fields `names` of `obj` that
    `past_date_problem` refuses; a value that is not a date yet is read as the field reads it
    (one it cannot read is the field's own check's to refuse)."""
    for name in names:
        field = obj._meta.get_field(name)
        try:
            value = field.to_python(getattr(obj, field.attname))
        except ValidationError:
            continue
        problem = past_date_problem(str(field.verbose_name), value, today=today)
        if problem:
            return name, problem
    return None


def text_too_long(label: str, limit: int | None, text) -> str | None:
    """Why `text` does not fit a field named `label` of `limit` characters (spec §11: text that does
    not fit is refused with the field and the limit, never cut); None when it fits."""
    if limit is None or not isinstance(text, str) or len(text) <= limit:
        return None
    return TEXT_TOO_LONG.format(field=label, limit=limit, length=len(text))


def record_text_too_long(obj: models.Model) -> tuple[str, str] | None:
    """(field, message) of the first text field of `obj` longer than its column (`text_too_long`)."""
    problems = record_texts_too_long(obj)
    return problems[0] if problems else None


def record_texts_too_long(obj: models.Model) -> list[tuple[str, str]]:
    """(field, message) of every text field of `obj` longer than its column (`text_too_long`)."""
    problems = []
    for field in _text_fields(type(obj)):
        problem = text_too_long(str(field.verbose_name), field.max_length, getattr(obj, field.attname))
        if problem:
            problems.append((field.name, problem))
    return problems


_TEXT_FIELDS: dict[type, list] = {}


def _text_fields(model: type[models.Model]) -> list:
    fields = _TEXT_FIELDS.get(model)
    if fields is None:
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField) and f.max_length]
        _TEXT_FIELDS[model] = fields
    return fields


def suspension_overdue(*, state: str, expected_reopen_on: date | None, today: date) -> bool:
    """A suspension whose expected reopening date has passed (issue 21 §5): the position may have
    reopened or may stay closed, nobody has said. Staff are asked to confirm it; riders see
    "恢复日期已过，状态待确认" and find it after the operating positions. `today` in Asia/Shanghai."""
    return state == PositionState.SUSPENDED and expected_reopen_on is not None and expected_reopen_on < today


def position_opening(position, at: datetime | None = None) -> OpeningStatus:
    """Open now? (spec §2) From the state, the weekly hours and the dated exceptions of a Position
    (prefetch its exceptions when asking for many), in Asia/Shanghai."""
    overrides = [
        HoursOverride(start=e.start, end=e.end, closed=e.closed, intervals=e.intervals)
        for e in position.hours_exceptions.all()
    ]
    return opening_status(
        at=at or timezone.now(),
        schedule=position.weekly_hours,
        exceptions=overrides,
        always_open=position.always_open,
        operating=position.state == PositionState.OPERATING,
    )
