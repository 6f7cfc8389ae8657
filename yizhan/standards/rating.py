"""Star rating of outdoor-worker stations (spec §4, source 001): the rules, as plain functions of
their inputs. Nothing here reads the database; `ratings.py` gathers the inputs (an assessment, the
ledger's visits, the satisfaction selector) and stores what these functions decide.

The default policy (`DEFAULT_POLICY`), 100 points:

- **site and hardware, 40**: each required facility present 4 points (the six facilities of source
  000: 饮用水、微波炉、桌椅、电风扇(空调)、医药箱、多功能电源插座 — 4 × 6 = 24; 通水通电 is required
  as well but carries no points of its own), each optional facility present 2 (2 × 8 = 16);
- **management, 20**: rules posted 5, manager assigned 5, ledger kept current 5, outside
  information shown 5;
- **volume, 20**: the station's monthly visits ÷ the median monthly visits of the operating
  stations of its district, capped at 1, × 20 (a district median of 0: any visit counts as the
  median reached, none as 0);
- **effect, 20**: the satisfaction rate (share of ratings 4–5) × 20; fewer responses than the
  ledger's minimum give no rate and 0 points.

Each part is rounded to 0.01 (half up) and the total is the sum of the rounded parts, so the lines
shown add up to the total compared with the thresholds: ≥ 90 → 5★, ≥ 80 → 4★, ≥ 70 → 3★, below →
unrated. A station missing any required facility gets no star, whatever its points, and a
rectification order.

Dynamics (`review`): a periodic assessment (default yearly) sets the level; an inspection's result
lowers it at once and never raises it; "cannot provide normal service" found by an inspection, or no
star in `delist_after_unrated_periods` (2) consecutive periods, delists.

A federation changes the numbers as versioned policy data: `RatingPolicy.from_data()` reads the
stored JSON, `to_data()` writes it; every field has the default above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from yizhan.positions.choices import OPTIONAL_FACILITIES, REQUIRED_FACILITIES, Facility

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _d(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# Management items of the default policy (key → label).
MANAGEMENT_ITEMS = {
    "rules_posted": "管理制度上墙",
    "manager_assigned": "有专人管理",
    "ledger_current": "台账及时记录",
    "info_shown": "门外公示信息",
}


@dataclass(frozen=True)
class RatingPolicy:
    """The numbers of the star rating; the defaults are spec §4's."""

    required_facilities: tuple[str, ...] = tuple(str(f) for f in REQUIRED_FACILITIES)
    required_points: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            str(f): Decimal(0 if f == Facility.WATER_AND_POWER else 4) for f in REQUIRED_FACILITIES
        }
    )
    optional_points: Mapping[str, Decimal] = field(
        default_factory=lambda: {str(f): Decimal(2) for f in OPTIONAL_FACILITIES}
    )
    management_points: Mapping[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(MANAGEMENT_ITEMS, Decimal(5))
    )
    volume_points: Decimal = Decimal(20)
    effect_points: Decimal = Decimal(20)
    # (stars, lowest total), highest first.
    thresholds: tuple[tuple[int, Decimal], ...] = ((5, Decimal(90)), (4, Decimal(80)), (3, Decimal(70)))
    delist_after_unrated_periods: int = 2

    @property
    def site_maximum(self) -> Decimal:
        return sum(self.required_points.values(), ZERO) + sum(self.optional_points.values(), ZERO)

    @property
    def management_maximum(self) -> Decimal:
        return sum(self.management_points.values(), ZERO)

    @property
    def maximum(self) -> Decimal:
        return self.site_maximum + self.management_maximum + self.volume_points + self.effect_points

    def to_data(self) -> dict:
        """The policy as JSON-ready data (decimals as strings)."""
        return {
            "required_facilities": list(self.required_facilities),
            "required_points": {k: str(v) for k, v in self.required_points.items()},
            "optional_points": {k: str(v) for k, v in self.optional_points.items()},
            "management_points": {k: str(v) for k, v in self.management_points.items()},
            "volume_points": str(self.volume_points),
            "effect_points": str(self.effect_points),
            "thresholds": [[stars, str(low)] for stars, low in self.thresholds],
            "delist_after_unrated_periods": self.delist_after_unrated_periods,
        }

    @classmethod
    def from_data(cls, data: Mapping) -> RatingPolicy:
        """A policy from stored data; a key left out keeps its default. Refuses (ValueError)
        thresholds that are not strictly decreasing in both stars and points, negative points,
        and a delisting count below 1."""
        default = cls()
        points = {
            name: {k: _d(v) for k, v in data[name].items()} if name in data else getattr(default, name)
            for name in ("required_points", "optional_points", "management_points")
        }
        thresholds = (
            tuple((int(stars), _d(low)) for stars, low in data["thresholds"])
            if "thresholds" in data
            else default.thresholds
        )
        policy = cls(
            required_facilities=tuple(data.get("required_facilities", default.required_facilities)),
            volume_points=_d(data.get("volume_points", default.volume_points)),
            effect_points=_d(data.get("effect_points", default.effect_points)),
            thresholds=thresholds,
            delist_after_unrated_periods=int(
                data.get("delist_after_unrated_periods", default.delist_after_unrated_periods)
            ),
            **points,
        )
        policy.check()
        return policy

    def check(self) -> None:
        values = [
            *self.required_points.values(),
            *self.optional_points.values(),
            *self.management_points.values(),
            self.volume_points,
            self.effect_points,
        ]
        if any(v < 0 for v in values):
            raise ValueError("分值不能为负数")
        pairs = list(self.thresholds)
        if not pairs or any(a[0] <= b[0] or a[1] <= b[1] for a, b in zip(pairs, pairs[1:], strict=False)):
            raise ValueError("星级门槛须按星级和分数从高到低排列")
        if self.delist_after_unrated_periods < 1:
            raise ValueError("摘牌所需的连续未评星周期数至少为 1")


DEFAULT_POLICY = RatingPolicy()


@dataclass(frozen=True)
class RatingInputs:
    """What a rating reads. `facilities` and `management` come from the assessment (what the
    assessor found present and met); `monthly_visits` is the station's visits per month over the
    period (the ledger); `district_median` the median of the same figure over the operating
    stations of its district; `satisfaction` the ledger's satisfaction rate (0–1), None when there
    were too few responses to state one."""

    facilities: frozenset[str]
    management: frozenset[str]
    monthly_visits: Decimal
    district_median: Decimal | None
    satisfaction: Decimal | None


@dataclass(frozen=True)
class RatingLine:
    """One line of the arithmetic: the part, how its points were reached, the points and the most
    the part can give."""

    part: str
    working: str
    points: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class RatingResult:
    total: Decimal
    stars: int | None
    lines: tuple[RatingLine, ...]
    missing_required: tuple[str, ...]
    verdict: str

    @property
    def rectification_required(self) -> bool:
        """A station missing a required facility gets a rectification order (spec §4)."""
        return bool(self.missing_required)

    def arithmetic(self) -> list[str]:
        """The rating as text, line by line."""
        lines = [f"{line.part}：{line.working} = {line.points} 分（满分 {line.maximum}）" for line in self.lines]
        lines.append(f"合计：{' + '.join(str(line.points) for line in self.lines)} = {self.total} 分")
        lines.append(self.verdict)
        return lines


def _facility_label(key: str) -> str:
    try:
        return str(Facility(key).label)
    except ValueError:
        return key


def _site_line(inputs: RatingInputs, policy: RatingPolicy) -> RatingLine:
    present_required = [k for k in policy.required_points if k in inputs.facilities]
    present_optional = [k for k in policy.optional_points if k in inputs.facilities]
    required = sum((policy.required_points[k] for k in present_required), ZERO)
    optional = sum((policy.optional_points[k] for k in present_optional), ZERO)
    working = (
        f"必备设施 {len(present_required)}/{len(policy.required_points)} 项得 {_money(required)} 分"
        f" + 可选设施 {len(present_optional)}/{len(policy.optional_points)} 项得 {_money(optional)} 分"
    )
    return RatingLine("场地与硬件", working, _money(required + optional), _money(policy.site_maximum))


def _management_line(inputs: RatingInputs, policy: RatingPolicy) -> RatingLine:
    met = [k for k in policy.management_points if k in inputs.management]
    points = sum((policy.management_points[k] for k in met), ZERO)
    names = "、".join(MANAGEMENT_ITEMS.get(k, k) for k in met) or "无"
    working = f"达标 {len(met)}/{len(policy.management_points)} 项（{names}）"
    return RatingLine("人员与管理", working, _money(points), _money(policy.management_maximum))


def _volume_line(inputs: RatingInputs, policy: RatingPolicy) -> RatingLine:
    visits = _d(inputs.monthly_visits)
    median_ = inputs.district_median
    if median_ is None or median_ <= 0:
        ratio = ONE if visits > 0 else ZERO
        working = f"月均服务 {_money(visits)} 人次，区内运营站点月均中位数为 0，比值计 {ratio}"
    else:
        ratio = min(ONE, visits / _d(median_))
        working = f"月均服务 {_money(visits)} 人次 ÷ 区内中位数 {_money(_d(median_))} = {_money(visits / _d(median_))}"
        working += "，封顶 1" if visits > median_ else ""
    points = _money(ratio * policy.volume_points)
    return RatingLine("服务量", f"{working}；× {policy.volume_points}", points, _money(policy.volume_points))


def _effect_line(inputs: RatingInputs, policy: RatingPolicy) -> RatingLine:
    if inputs.satisfaction is None:
        return RatingLine("服务效果", "评价人数不足，无满意率，计 0", _money(ZERO), _money(policy.effect_points))
    rate = min(ONE, max(ZERO, _d(inputs.satisfaction)))
    points = _money(rate * policy.effect_points)
    working = f"满意率 {_money(rate * 100)}% × {policy.effect_points}"
    return RatingLine("服务效果", working, points, _money(policy.effect_points))


def stars_for(total: Decimal, policy: RatingPolicy = DEFAULT_POLICY) -> int | None:
    """The star level a total reaches (None: unrated), ignoring the preconditions."""
    for stars, low in policy.thresholds:
        if total >= low:
            return stars
    return None


def rate(inputs: RatingInputs, policy: RatingPolicy = DEFAULT_POLICY) -> RatingResult:
    """Rate one station for one period. The stars are those of the total's threshold, unless a
    required facility is missing: then none, and a rectification order."""
    lines = (
        _site_line(inputs, policy),
        _management_line(inputs, policy),
        _volume_line(inputs, policy),
        _effect_line(inputs, policy),
    )
    total = sum((line.points for line in lines), ZERO)
    missing = tuple(k for k in policy.required_facilities if k not in inputs.facilities)
    reached = stars_for(total, policy)
    if missing:
        names = "、".join(_facility_label(k) for k in missing)
        verdict = f"缺少必备设施（{names}），不评星级，须整改"
        stars = None
    elif reached is None:
        lowest = policy.thresholds[-1][1]
        verdict = f"{total} 分低于 {lowest} 分，未评上星级"
        stars = None
    else:
        low = dict(policy.thresholds)[reached]
        verdict = f"{total} 分 ≥ {low} 分，评为{reached}星级"
        stars = reached
    return RatingResult(total=total, stars=stars, lines=lines, missing_required=missing, verdict=verdict)


def district_median(monthly_visits: Iterable[Decimal]) -> Decimal | None:
    """The median monthly visits of a district's operating stations (None when it has none)."""
    values = sorted(_d(v) for v in monthly_visits)
    return _d(median(values)) if values else None


# --- dynamics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """What a review decides for a station: its stars from now on, whether it is delisted, and why."""

    stars: int | None
    delist: bool
    reason: str


def _rank(stars: int | None) -> int:
    return 0 if stars is None else stars


def after_result(*, current: int | None, result: int | None, periodic: bool) -> Review:
    """The level after a new result: a periodic assessment sets it (up or down); an inspection's
    lower result downgrades at once, a higher one changes nothing until the next assessment."""
    if periodic:
        if _rank(result) < _rank(current):
            return Review(result, False, "周期评定结果低于现有星级，立即降级")
        if _rank(result) > _rank(current):
            return Review(result, False, "周期评定结果高于现有星级，升级")
        return Review(result, False, "周期评定结果与现有星级相同")
    if _rank(result) < _rank(current):
        return Review(result, False, "检查结果低于现有星级，立即降级")
    return Review(current, False, "检查结果不低于现有星级，星级不变")


def delisting_due(
    *,
    period: int,
    stars_by_period: Mapping[int, int | None],
    first_period: int,
    cannot_serve: bool = False,
    policy: RatingPolicy = DEFAULT_POLICY,
) -> str:
    """Why the station must be delisted at the end of `period`, or "" when it need not be.

    Periods are numbered consecutively (default: years). `stars_by_period` holds the star level of
    each period's assessment (None: unrated); a period with no result counts as unrated, since the
    station was not rated in it. Periods before `first_period` (before the station operated) are
    not counted. An inspection finding "cannot provide normal service" delists at once."""
    if cannot_serve:
        return "检查发现不能正常提供服务，摘牌"
    n = policy.delist_after_unrated_periods
    window = range(period - n + 1, period + 1)
    if window.start < first_period:
        return ""
    if all(stars_by_period.get(p) is None for p in window):
        return f"连续 {n} 个评定周期（{window.start}–{period}）未评上星级，摘牌"
    return ""
