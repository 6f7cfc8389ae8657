"""Masking of personal data in staff views and logs (spec §11, PIPL): shown in part by default,
in full only where a role needs it and the reveal is audited. Which field takes which mask, and
which roles see it in full, is declared once in `core/personal_data.py`."""

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


def mask_name(name: str) -> str:
    """A person's name with all but its first character hidden (张** for 张三丰, 王* for 王五)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_email(email: str) -> str:
    """An e-mail address with its local part hidden but the first character (w***@example.com)."""
    email = (email or "").strip()
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at:
        return mask_name(email)
    return f"{local[:1]}***@{domain}"


def mask_ip(address: str) -> str:
    """A client address with its host part hidden: the last IPv4 octet (203.0.113.*), everything
    after the first three groups of IPv6 (2001:db8:1:*)."""
    address = (address or "").strip()
    if not address:
        return ""
    if ":" in address:
        return ":".join(address.split(":")[:3]) + ":*"
    head, dot, _last = address.rpartition(".")
    return f"{head}.*" if dot else "*"


def mask_hidden(value) -> str:
    """Nothing of the value: for data no view shows (keys, pseudonyms, free text out of role)."""
    return "***" if value else ""


def looks_masked(value) -> bool:
    """Whether a value carries a mask's hiding character, as a masked value copied back from a view
    or an export would (no real name or phone number contains `*`)."""
    return isinstance(value, str) and "*" in value
