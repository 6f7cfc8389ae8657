"""Masking of personal data in staff views and logs (spec §11, PIPL): shown in part by default,
in full only where a role needs it and the reveal is audited."""

import re

_AREA_CODE = re.compile(r"^(0\d{2,3}-)(.*)$")
_MOBILE = re.compile(r"^1\d{10}$")


def mask_phone(phone: str) -> str:
    """A phone number with its middle hidden: a mobile keeps its first 3 and last 4 digits
    (138****0000); a landline keeps its area code and its last 4 digits (0411-****5678); shorter
    numbers keep their last 2. Separators stay where they are; an empty number stays empty."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if _MOBILE.match(phone):
        return f"{phone[:3]}****{phone[-4:]}"
    prefix, rest = "", phone
    if match := _AREA_CODE.match(phone):
        prefix, rest = match.groups()
    digits = sum(ch.isdigit() for ch in rest)
    keep = 4 if digits >= 8 else 2
    shown = []
    for ch in reversed(rest):
        if ch.isdigit() and keep > 0:
            shown.append(ch)
            keep -= 1
        elif ch.isdigit():
            shown.append("*")
        else:
            shown.append(ch)
    return prefix + "".join(reversed(shown))
