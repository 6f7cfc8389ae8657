"""Fixtures shared by every context's tests: regions, unit trees, actors and logged-in clients."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from factory.base import BaseFactory
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from yizhan.core.roles import Role
from yizhan.core.scoping import Actor
from yizhan.core.testing import instances
from yizhan.core.testing.demo import TEST_PASSWORD_HASHERS, DemoSnapshot, demo_in_database
from yizhan.orgs.accounts.twofactor import confirmed_totp_device, two_factor_required
from yizhan.orgs.choices import RegionLevel, UnitType
from yizhan.orgs.models import Region, Unit, User
from yizhan.orgs.tests.factories import MembershipFactory, RegionFactory, UnitFactory

# Speed is measured in `make bench`, never in a test: Hypothesis's per-example deadline and its
# "too slow" health check time examples on a shared CI machine (2 cores, two suites at once) and fail
# rules that hold. Every property still runs its examples and asserts what it asserts.
hypothesis_settings.register_profile("yizhan", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("yizhan")

# Tests never fetch map tiles from the internet (the browser tests fail on any request leaving the
# machine): the maps draw boundaries only, here and in the servers and commands tests start.
os.environ["YIZHAN_MAP_TILES"] = "none"


# --- PostgreSQL run: only what the engine can change ------------------------------------------------
# `make test` runs the suite on SQLite, then again on PostgreSQL with YIZHAN_TEST_DB_ONLY=1: a test
# that never reaches a database (pure functions, hypothesis properties of rules, templates, static
# files) gives the same answer on both, so the second run leaves it out. A test reaches the database
# in this process only through pytest-django's markers and fixtures (anything else is refused), and
# in other processes (servers, workers, commands, backups) through DATABASE_URL: a test module that
# starts processes or names the database URL is kept whole.
DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "django_db_setup",  # a module's or session's own data (django_db_blocker: every test has it)
    "live_server",
}
OTHER_PROCESS_HINTS = ("DATABASE_URL", "database_url", "subprocess", "Popen", "_support import", "manage.py")
_module_hints: dict[str, bool] = {}


def _reaches_other_processes(item) -> bool:
    path = str(getattr(item, "path", "") or item.fspath)
    if path not in _module_hints:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:
            text = ""
        _module_hints[path] = any(hint in text for hint in OTHER_PROCESS_HINTS)
    return _module_hints[path]


def needs_database(item) -> bool:
    if item.get_closest_marker("django_db") or item.get_closest_marker("postgres"):
        return True
    if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    return _reaches_other_processes(item)


_LEFT_OUT = "yizhan_left_out"


def pytest_collection_modifyitems(config, items):
    on_postgres = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("YIZHAN_TEST_DB_ONLY") != "1" or not on_postgres:
        return
    kept, left_out = [], []
    for item in items:
        (kept if needs_database(item) else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
    config.stash[_left_out_key] = (len(left_out), len(kept))
    if hasattr(config, "workeroutput"):  # an xdist worker: the controller prints it
        config.workeroutput[_LEFT_OUT] = (len(left_out), len(kept))


_left_out_key = pytest.StashKey[tuple]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist's controller: what a worker left out (every worker collects the whole suite)."""
    counted = getattr(node, "workeroutput", {}).get(_LEFT_OUT)
    if counted:
        node.config.stash[_left_out_key] = tuple(counted)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counted = config.stash.get(_left_out_key, None)
    if counted:
        terminalreporter.write_line(
            f"YIZHAN_TEST_DB_ONLY=1 on PostgreSQL: {counted[0]} tests that never reach a database were "
            f"left out (they ran on SQLite), {counted[1]} kept"
        )


@pytest.fixture(autouse=True)
def no_map_tiles(settings):
    """The default tile source is a street map on the internet (settings.YIZHAN_MAP_TILES); a test
    that wants one sets it."""
    settings.YIZHAN_MAP_TILES = "none"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow by design; tests of everything but hashing itself use a fast hasher."""
    settings.PASSWORD_HASHERS = TEST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def default_language():
    """A request in English (LocaleMiddleware) leaves English active in the thread: every test starts
    and ends in the default language, as a new server thread does."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def second_factor_on_test_logins(monkeypatch):
    """`Client.force_login` stands for a completed sign-in: for a role that needs the second factor
    (orgs.twofactor) the session has also passed it, with the user's authenticator (made when
    missing). Tests of the second factor itself sign in through the login form instead."""
    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if two_factor_required(user):
            # Made directly (not enrolled): no audit entry, so tests counting entries see only their own.
            device = confirmed_totp_device(user) or TOTPDevice.objects.create(user=user, confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


def _factories(base: type[BaseFactory] = BaseFactory):
    for factory_class in base.__subclasses__():
        yield factory_class
        yield from _factories(factory_class)


@pytest.fixture(autouse=True)
def factory_sequences_from_one():
    """Every factory (`<app>/tests/factories.py`) numbers its objects from 1 again in each test, so
    what a test makes (codes, names, points in a row) does not depend on the tests run before it."""
    for factory_class in _factories():
        if not factory_class._meta.abstract and factory_class._meta.counter_reference is factory_class._meta:
            factory_class.reset_sequence(1)


@pytest.fixture(autouse=True)
def empty_cache():
    """The local-memory cache outlives a test's database; start each test without stale entries."""
    cache.clear()


# The database settings names before pytest-django points them at the test database.
_DATABASE_NAME = django_settings.DATABASES["default"]["NAME"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """pytest-django's test database; when a test of this run starts processes on databases of their
    own (`child_databases`), a copy of it as `migrate` left it, before any test writes to it (built
    here if no test of this process asked pytest-django for it)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    built = None
    if any("child_databases" in item.fixturenames for item in request.session.items):
        with django_db_blocker.unblock():
            if connection.settings_dict["NAME"] == _DATABASE_NAME:  # no test here uses the database
                built = setup_databases(verbosity=0, interactive=False, aliases={"default"})
            instances.capture()
    yield
    instances.release()
    if built is not None:
        with django_db_blocker.unblock():
            teardown_databases(built, verbosity=0)


@pytest.fixture(scope="session")
def child_databases(django_db_setup):
    """`child_databases(folder, name)` → a migrated, empty database for other processes (servers,
    commands, workers): a copy of this run's freshly migrated test database (a SQLite file in
    `folder`, or a PostgreSQL database of its own, `.drop()` it), instead of `migrate` in a child
    each time (core.testing.instances). `instances.write_demo(database, media_root)` adds the demo."""
    return instances.new_database


@pytest.fixture
def demo(db) -> DemoSnapshot:
    """The demo federation of `manage.py demo` (every account's password is YIZHAN_DEMO_PASSWORD):
    loaded through its services by the first test of a process that asks for it, restored from its
    rows (in milliseconds) for the later ones (core.testing.demo). Works with `db` (rolled back) and
    with `transactional_db` / `live_server` (flushed). Returns the snapshot; `.lines` are the
    loaders' output lines. Tests of the demo's data use it instead of `call_command("demo")`."""
    return demo_in_database()


@pytest.fixture
def regions(db) -> dict[str, Region]:
    """Liaoning, Dalian and two of its districts, without boundaries (enough for unit records)."""
    province = RegionFactory(adcode="210000", name="辽宁省", level=RegionLevel.PROVINCE)
    city = RegionFactory(adcode="210200", name="大连市", level=RegionLevel.CITY, parent=province)
    zs = RegionFactory(adcode="210202", name="中山区", parent=city)
    xg = RegionFactory(adcode="210203", name="西岗区", parent=city)
    return {r.adcode: r for r in (province, city, zs, xg)}


@pytest.fixture
def make_unit(regions):
    """make_unit(type, parent=None, name=None, code=None) creates a unit through the service; a root
    lies in 大连市."""

    def make(unit_type: str, parent: Unit | None = None, *, name: str | None = None, code: str | None = None) -> Unit:
        given = {key: value for key, value in {"name": name, "code": code}.items() if value}
        region = regions["210200"] if parent is None else parent.region
        return UnitFactory(type=unit_type, parent=parent, region=region, **given)

    return make


@pytest.fixture
def make_user(db):
    """make_user(role, unit, username=None) creates an account holding one role at `unit`."""

    def make(role: str, unit: Unit, username: str | None = None) -> User:
        given = {"user__username": username} if username else {}
        return MembershipFactory(role=role, unit=unit, **given).user

    return make


@pytest.fixture
def make_actor(make_user):
    def make(role: str, unit: Unit) -> Actor:
        user = make_user(role, unit)
        return Actor(user=user, membership=user.memberships.get())

    return make


@pytest.fixture
def login():
    """login(user) → a Django test client with that user signed in."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def dalian(make_unit):
    """A small federation: 大连市总工会 → 中山区/西岗区总工会 → a street union under 中山区."""
    city = make_unit(UnitType.CITY_FEDERATION, name="大连市总工会", code="DL")
    zs = make_unit(UnitType.DISTRICT, city, name="中山区总工会", code="DL-ZS")
    xg = make_unit(UnitType.DISTRICT, city, name="西岗区总工会", code="DL-XG")
    street = make_unit(UnitType.STREET, zs, name="青泥洼桥街道工会", code="DL-ZS-QNWQ")
    return {"city": city, "zs": zs, "xg": xg, "street": street}


ALL_ROLES = list(Role)
