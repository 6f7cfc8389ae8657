"""The read-only admin for someone not signed in: sent to the login page, never a server error
(`request.actor` is a lazy object that is never None itself)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from yizhan.orgs.models import Unit


@pytest.mark.parametrize("path", ["/admin/", "/admin/orgs/unit/", "/admin/positions/position/1/change/"])
def test_anonymous_admin_requests_go_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_no_admin_permission_without_a_signed_in_actor(db):
    request = RequestFactory().get("/admin/")
    request.user = AnonymousUser()
    request.actor = SimpleLazyObject(lambda: None)
    assert admin.site.has_permission(request) is False
    model_admin = admin.site._registry[Unit]
    assert model_admin.has_module_permission(request) is False
    assert model_admin.has_view_permission(request) is False
