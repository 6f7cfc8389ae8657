import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from yizhan.finder.ratelimit import parse_rate, rate_limit_hit


@pytest.mark.parametrize(
    ("text", "rate"), [("120/m", (120, 60)), ("5/s", (5, 1)), (" 1000 / h ", (1000, 3600)), ("off", None), ("", None)]
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["120", "0/m", "120/minute", "abc", "-1/m"])
def test_a_bad_rate_is_refused(text):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)


def test_a_bad_rate_fails_the_system_checks(settings):
    settings.YIZHAN_PUBLIC_RATE = "lots"
    assert "finder.E001" in [e.id for e in run_checks()]


def test_the_budget_is_per_client_and_per_window(settings):
    settings.YIZHAN_PUBLIC_RATE = "2/m"
    t = 6000.0  # the start of a window
    assert rate_limit_hit("a", now=t) is None
    assert rate_limit_hit("a", now=t + 1) is None
    assert rate_limit_hit("a", now=t + 20) == 40  # seconds until the window ends
    assert rate_limit_hit("b", now=t + 20) is None
    assert rate_limit_hit("a", now=t + 60) is None  # a new window


def test_no_limit_when_off(settings):
    settings.YIZHAN_PUBLIC_RATE = "off"
    assert all(rate_limit_hit("a") is None for _ in range(500))
