"""Money as integer fen: parsed from yuan with Decimal, shown with two decimals, round trip exact."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yizhan.core.errors import ApplicationError
from yizhan.grants.money import MAX_FEN, NOT_AN_AMOUNT, NOT_POSITIVE, TOO_LARGE, fen_to_yuan, yuan_to_fen


@given(st.integers(min_value=1, max_value=MAX_FEN))
def test_round_trip(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


@pytest.mark.parametrize(
    ("text", "fen"), [("5000", 500_000), ("0.1", 10), ("1,200.50", 120_050), (" 0.01 ", 1), ("1200.5", 120_050)]
)
def test_parses(text, fen):
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", NOT_AN_AMOUNT),
        ("1.001", NOT_AN_AMOUNT),
        ("NaN", NOT_AN_AMOUNT),
        ("Infinity", NOT_AN_AMOUNT),
        ("", NOT_AN_AMOUNT),
        ("0", NOT_POSITIVE),
        ("-3", NOT_POSITIVE),
        ("1e13", TOO_LARGE),
    ],
)
def test_refuses(text, message):
    with pytest.raises(ApplicationError) as error:
        yuan_to_fen(text)
    assert error.value.message == str(message)


def test_shows_two_decimals():
    assert [fen_to_yuan(v) for v in (0, 5, 500_000, 123_456)] == ["0.00", "0.05", "5000.00", "1234.56"]
