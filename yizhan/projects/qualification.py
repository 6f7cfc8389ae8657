"""Whether a social organisation may take on a union service project (spec §9, source 004 附件2:
"依法在民政部门登记注册，一般应成立满2年，且在有效期内"). A pure function of the recorded facts and the
check date, so every edge date is tested without a database.

Two full years: the anniversary is the same month and day two years after registration; when that
day does not exist (registered on 29 February, two years later is not a leap year) it is the last
day of that February — the rule of the Civil Code, art. 202 ("没有对应日的，月末日为期间的最后一日").
So an organisation registered on 2020-02-29 qualifies from 2022-02-28 (decision 35), one registered on
2020-03-10 from 2022-03-10. The certificate must be valid on the check date, both ends included.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

MIN_YEARS = 2

NOT_REGISTERED = _("未在民政部门登记（没有登记证号或登记日期）")
REGISTERED_LATER = _("登记日期 {registered_on} 晚于审查日期 {on}")
TOO_YOUNG = _("成立未满 {years} 年：{registered_on} 登记，{since} 起才满 {years} 年")
NO_CERTIFICATE = _("没有登记证书有效期")
CERTIFICATE_NOT_YET = _("登记证书 {valid_from} 起才生效")
CERTIFICATE_EXPIRED = _("登记证书已于 {valid_to} 过期")


class Qualification(NamedTuple):
    """The verdict: `qualified`, and every rule that failed (empty when qualified)."""

    qualified: bool
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


def anniversary(start: datetime.date, years: int) -> datetime.date:
    """`start` plus `years` full years; 29 February becomes 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February → the last day of February
        return start.replace(year=start.year + years, day=28)


def qualification(
    *,
    registration_number: str,
    registered_on: datetime.date | None,
    certificate_valid_from: datetime.date | None,
    certificate_valid_to: datetime.date | None,
    on: datetime.date,
) -> Qualification:
    """Registered with civil affairs, at least two full years on `on`, certificate valid on `on`."""
    reasons: list[str] = []
    if not (registration_number or "").strip() or registered_on is None:
        reasons.append(str(NOT_REGISTERED))
    elif registered_on > on:
        reasons.append(str(REGISTERED_LATER).format(registered_on=registered_on, on=on))
    else:
        since = anniversary(registered_on, MIN_YEARS)
        if on < since:
            reasons.append(str(TOO_YOUNG).format(years=MIN_YEARS, registered_on=registered_on, since=since))
    if certificate_valid_from is None or certificate_valid_to is None:
        reasons.append(str(NO_CERTIFICATE))
    elif on < certificate_valid_from:
        reasons.append(str(CERTIFICATE_NOT_YET).format(valid_from=certificate_valid_from))
    elif on > certificate_valid_to:
        reasons.append(str(CERTIFICATE_EXPIRED).format(valid_to=certificate_valid_to))
    return Qualification(not reasons, tuple(reasons))
