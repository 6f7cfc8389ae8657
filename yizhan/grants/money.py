"""Money as integer fen (spec §7: never float): shown as yuan with two decimals, typed in as yuan and
parsed with Decimal."""

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError

# Above anything a union grants (10 billion yuan); keeps the fen in a PostgreSQL bigint.
MAX_FEN = 10**12
NOT_AN_AMOUNT = _("金额应为以元为单位的数字，最多两位小数，例如 1200 或 1200.50")
NOT_POSITIVE = _("金额应大于 0 元")
TOO_LARGE = _("金额过大")


def fen_to_yuan(fen: int) -> str:
    """12345 → "123.45"; integers only, so no float ever rounds a cent."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan_to_fen(text: str | int | Decimal, *, field: str = "amount") -> int:
    """ "1200.5" → 120050. Refuses what is not a positive amount with at most two decimals."""
    try:
        value = Decimal(str(text).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ApplicationError(str(NOT_AN_AMOUNT), field=field) from None
    if not value.is_finite() or value.quantize(Decimal("0.01"), rounding=ROUND_DOWN) != value:
        raise ApplicationError(str(NOT_AN_AMOUNT), field=field)
    if value <= 0:
        raise ApplicationError(str(NOT_POSITIVE), field=field)
    fen = int(value * 100)
    if fen > MAX_FEN:
        raise ApplicationError(str(TOO_LARGE), field=field)
    return fen
