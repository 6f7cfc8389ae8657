"""The public pages' language button (issue 21, "Measured"): a GET form, so the results and search
pages carry no CSRF token and set no cookie for it, and a rider's location survives the switch;
the station page keeps its token for the problem report form. Only this site's addresses are
followed back."""
# ruff: noqa: F811 (the `public` fixture is imported and then asked for)

import re
from html import unescape

import pytest
from django.conf import settings
from django.test import Client

from yizhan.finder import pagecache
from yizhan.finder.tests.test_pages import public  # noqa: F401 (fixture)
from yizhan.finder.tests.test_results_page import HERE, hidden_location

pytestmark = pytest.mark.django_db

BUTTON = re.compile(
    r'<form action="(?P<action>[^"]+)" method="get" class="pub-lang">\s*'
    r'<input name="next" type="hidden" value="(?P<next>[^"]*)">\s*'
    r'<button type="submit" name="language" value="(?P<language>[^"]+)"'
)


@pytest.fixture(autouse=True)
def no_kept_pages():
    pagecache.PAGES.clear()
    yield
    pagecache.PAGES.clear()


def button(html: str) -> dict:
    found = BUTTON.search(html)
    assert found, "no language button"
    return {**found.groupdict(), "next": unescape(found["next"])}


def test_results_and_search_pages_carry_no_token_and_set_no_cookie(public):
    client = Client()
    for query in (HERE, {**HERE, "ability": "heat_food", "open_now": "1"}, {"q": "中山区"}, {}):
        response = client.get("/", query)
        html = response.content.decode()
        assert response.status_code == 200
        assert "csrfmiddlewaretoken" not in html
        assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert settings.CSRF_COOKIE_NAME not in client.cookies


def test_the_station_page_keeps_the_token_its_problem_form_needs(public):
    client = Client()
    html = client.get(f"/p/{public['近站'].code}/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert settings.CSRF_COOKIE_NAME in client.cookies


def test_switching_language_keeps_the_riders_results(public):
    client = Client()
    first = client.get("/", {**HERE, "ability": "heat_food"})
    form = button(first.content.decode())
    assert form["language"] == "en"
    assert form["next"] == first.wsgi_request.get_full_path()
    switched = client.get(form["action"], {"next": form["next"], "language": form["language"]})
    assert switched.status_code == 302 and switched["Location"] == form["next"]
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(switched["Location"])
    html = english.content.decode()
    assert '<html lang="en">' in html
    assert hidden_location(english) == HERE  # the location survived the switch
    assert 'name="ability" value="heat_food" checked' in html
    back = button(html)
    assert back["language"] == "zh-hans"
    client.get(back["action"], {"next": back["next"], "language": back["language"]})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert '<html lang="zh-hans">' in client.get(back["next"]).content.decode()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "/\\evil.example"]
)
def test_only_this_sites_pages_are_returned_to(public, next_url):
    response = Client().get("/language/", {"next": next_url, "language": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("language", ["fr", "", "zh-hant", "<script>"])
def test_an_unknown_language_changes_nothing(public, language):
    client = Client()
    response = client.get("/language/", {"next": "/?q=xg", "language": language})
    assert response.status_code == 302 and response["Location"] == "/?q=xg"
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_the_language_switch_refuses_a_post(public):
    response = Client().post("/language/", {"next": "/", "language": "en"})
    assert response.status_code == 405
