"""The captcha-free abuse limits of feedback (issue 4 §4): each scope refuses over its budget
with the seconds until its window ends, refused attempts use up nothing, windows start with the
first submission they count, and the setting is checked at startup."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from yizhan.ledger import limits, services
from yizhan.ledger.checks import ledger_settings
from yizhan.ledger.models import Feedback
from yizhan.positions.choices import PositionState

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the limits: clock.now = seconds since the epoch."""

    class Clock:
        now = T0

    monkeypatch.setattr(limits, "_now", lambda: Clock.now)
    return Clock


@pytest.fixture
def positions(make_position):
    return [make_position(state=PositionState.OPERATING) for _ in range(25)]


def _limited(submit, **values) -> services.FeedbackLimited:
    with pytest.raises(services.FeedbackLimited) as caught:
        submit(**values)
    return caught.value


def test_the_defaults_are_the_documented_ones(settings):
    windows = limits.configured_windows()
    assert windows == {
        "client": [limits.Window(5, 600), limits.Window(20, 86400)],
        "client_position": [limits.Window(1, 3600)],
        "position": [limits.Window(200, 86400)],
    }


def test_one_client_may_submit_once_an_hour_on_one_position(submit, station, clock):
    submit()
    clock.now += 1200
    refused = _limited(submit)
    assert refused.scope == "client_position"
    assert refused.retry_after == 3600 - 1200
    assert refused.message == str(services.LIMITED["client_position"].format(wait="40 分钟"))
    clock.now = T0 + 3600
    submit()
    assert Feedback.objects.count() == 2


def test_another_client_is_not_held_by_the_first_ones_limit(submit):
    submit(client="203.0.113.1")
    submit(client="203.0.113.2")
    assert Feedback.objects.count() == 2


def test_one_client_may_submit_five_in_ten_minutes(submit, positions, clock):
    for i in range(5):
        clock.now = T0 + i * 10
        submit(position_id=positions[i].pk)
    clock.now = T0 + 100
    refused = _limited(submit, position_id=positions[5].pk)
    assert (refused.scope, refused.retry_after) == ("client", 500)
    clock.now = T0 + 600  # the window opened by the first submission is over
    submit(position_id=positions[5].pk)
    assert Feedback.objects.count() == 6


def test_one_client_may_submit_twenty_a_day(submit, positions, clock):
    for i in range(20):
        clock.now = T0 + i * 600  # never five in ten minutes
        submit(position_id=positions[i].pk)
    clock.now = T0 + 20 * 600
    refused = _limited(submit, position_id=positions[20].pk)
    assert (refused.scope, refused.retry_after) == ("client", 86400 - 20 * 600)
    assert refused.message == str(services.LIMITED["client"].format(wait="21 小时"))


def test_one_position_takes_a_limited_number_a_day_from_everyone(submit, station, settings, clock):
    settings.YIZHAN_FEEDBACK_LIMITS = {**settings.YIZHAN_FEEDBACK_LIMITS, "position": [(3, 86400)]}
    for i in range(3):
        submit(client=f"198.51.100.{i}")
    clock.now = T0 + 7200
    refused = _limited(submit, client="198.51.100.99")
    assert (refused.scope, refused.retry_after) == ("position", 86400 - 7200)
    assert refused.message == str(services.LIMITED["position"].format(wait="22 小时"))


def test_the_default_position_budget_is_two_hundred(submit, station):
    for i in range(200):
        submit(client=f"10.0.{i // 250}.{i % 250}")
    assert _limited(submit, client="10.9.9.9").scope == "position"


def test_refused_attempts_use_up_nothing(submit, positions, clock):
    for i in range(5):
        submit(position_id=positions[i].pk)
    for _ in range(10):
        _limited(submit, position_id=positions[5].pk)
    clock.now = T0 + 600
    submit(position_id=positions[5].pk)
    # Only the six accepted submissions count toward the day's twenty.
    for i in range(6, 10):
        clock.now += 1
        submit(position_id=positions[i].pk)
    assert Feedback.objects.count() == 10


def test_the_longest_wait_is_given_when_several_limits_refuse(submit, station, clock, settings):
    settings.YIZHAN_FEEDBACK_LIMITS = {
        "client": [(1, 600)],
        "client_position": [(1, 3600)],
        "position": [(1, 7200)],
    }
    submit()
    clock.now = T0 + 10
    refused = _limited(submit)
    assert (refused.scope, refused.retry_after) == ("position", 7190)


def test_an_empty_list_switches_a_scope_off(submit, settings):
    settings.YIZHAN_FEEDBACK_LIMITS = {"client": [], "client_position": [], "position": []}
    for _ in range(30):
        submit()
    assert Feedback.objects.count() == 30


def test_a_failed_save_gives_its_counts_back(submit, station, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database gone")

    with monkeypatch.context() as patched:
        patched.setattr(Feedback, "save", broken_save)
        with pytest.raises(RuntimeError):
            submit()
    submit()  # the client+position hour was not used by the failed attempt
    assert Feedback.objects.count() == 1


def test_a_concurrent_submission_taking_the_last_place_is_refused_and_counts_nothing(station, clock, monkeypatch):
    names = limits.buckets(client_key="k" * 64, position_id=station.pk)
    assert limits.charge(names).refusal is None
    counter = limits._count_key(limits._start_key(names["client_position"], limits.Window(1, 3600)), T0)
    assert cache.get(counter) == 1
    # The second submission's check ran before the first one counted (it saw nothing counted).
    monkeypatch.setattr(limits.cache, "get_many", lambda keys: {})
    second = limits.charge(names)
    assert second.refusal == limits.Refusal("client_position", 3600)
    assert second.keys == []
    assert cache.get(counter) == 1


def test_cache_keys_never_carry_the_address(submit, station):
    submit(client="192.0.2.55")
    stored = list(cache._cache.keys())  # the local-memory cache of the tests
    assert stored and not any("192.0.2.55" in key for key in stored)


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"client": [(5, 600)]},
        {"client": [(5, 600)], "client_position": [(1, 3600)], "position": [(0, 86400)]},
        {"client": [(5, -1)], "client_position": [], "position": []},
        {"client": ["5/600"], "client_position": [], "position": []},
        {"client": [], "client_position": [], "position": [], "other": []},
    ],
)
def test_a_malformed_setting_is_refused_at_startup(settings, value):
    settings.YIZHAN_FEEDBACK_LIMITS = value
    with pytest.raises(ImproperlyConfigured):
        limits.configured_windows()
    assert [error.id for error in ledger_settings(None)] == ["ledger.E001"]


def test_the_shipped_setting_passes_the_check():
    assert ledger_settings(None) == []
