import datetime

from hypothesis import given
from hypothesis import strategies as st

from yizhan.projects.qualification import (
    CERTIFICATE_EXPIRED,
    CERTIFICATE_NOT_YET,
    NO_CERTIFICATE,
    NOT_REGISTERED,
    anniversary,
    qualification,
)

D = datetime.date


def check(registered_on, on, *, valid_from=D(2019, 1, 1), valid_to=D(2030, 12, 31), number="52370200MJ0000001A"):
    return qualification(
        registration_number=number,
        registered_on=registered_on,
        certificate_valid_from=valid_from,
        certificate_valid_to=valid_to,
        on=on,
    )


def test_exactly_two_years_qualifies_the_day_before_does_not():
    assert check(D(2020, 3, 10), D(2022, 3, 10)).qualified
    refused = check(D(2020, 3, 10), D(2022, 3, 9))
    assert not refused.qualified
    assert "成立未满 2 年" in refused.reason
    assert "2022-03-10 起才满 2 年" in refused.reason


def test_leap_day_registration_qualifies_on_28_february():
    assert anniversary(D(2020, 2, 29), 2) == D(2022, 2, 28)
    assert check(D(2020, 2, 29), D(2022, 2, 28)).qualified
    assert not check(D(2020, 2, 29), D(2022, 2, 27)).qualified
    # four years later the day exists again
    assert anniversary(D(2020, 2, 29), 4) == D(2024, 2, 29)


def test_registered_on_28_february_before_a_leap_year():
    assert not check(D(2022, 2, 28), D(2024, 2, 27)).qualified
    assert check(D(2022, 2, 28), D(2024, 2, 28)).qualified


def test_certificate_valid_both_ends_included():
    assert check(D(2018, 1, 1), D(2022, 6, 30), valid_from=D(2022, 6, 30)).qualified
    assert check(D(2018, 1, 1), D(2022, 6, 30), valid_to=D(2022, 6, 30)).qualified


def test_expired_certificate_states_the_rule():
    refused = check(D(2018, 1, 1), D(2022, 7, 1), valid_to=D(2022, 6, 30))
    assert not refused.qualified
    assert refused.reasons == (str(CERTIFICATE_EXPIRED).format(valid_to=D(2022, 6, 30)),)


def test_certificate_not_yet_valid_and_missing():
    assert check(D(2018, 1, 1), D(2022, 1, 1), valid_from=D(2022, 1, 2)).reasons == (
        str(CERTIFICATE_NOT_YET).format(valid_from=D(2022, 1, 2)),
    )
    assert check(D(2018, 1, 1), D(2022, 1, 1), valid_to=None).reasons == (str(NO_CERTIFICATE),)


def test_unregistered_and_every_reason_together():
    refused = check(None, D(2022, 1, 1), number="", valid_to=D(2021, 1, 1))
    assert refused.reasons == (str(NOT_REGISTERED), str(CERTIFICATE_EXPIRED).format(valid_to=D(2021, 1, 1)))
    assert not check(D(2018, 1, 1), D(2022, 1, 1), number="  ").qualified


def test_registered_after_the_check_date():
    assert not check(D(2023, 1, 1), D(2022, 1, 1)).qualified


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 1, 1)), st.integers(min_value=-800, max_value=800))
def test_two_years_is_monotonic_and_at_least_730_days(registered_on, offset):
    on = registered_on + datetime.timedelta(days=730 + offset)
    verdict = check(registered_on, on, valid_from=D(1900, 1, 1), valid_to=D(2200, 1, 1))
    since = anniversary(registered_on, 2)
    assert verdict.qualified == (on >= since)
    assert 730 <= (since - registered_on).days <= 731
