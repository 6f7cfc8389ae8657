"""A project page's POST that names an object outside the actor's scope answers 404, as the staff pages
of centres and campaigns do (core.views_helpers.run_action): not a message saying it is out of scope."""

import pytest

from yizhan.projects.models import Application
from yizhan.projects.tests.factories import ServiceProjectFactory

pytestmark = pytest.mark.django_db


def test_applying_for_another_organisation_answers_404_and_writes_nothing(
    login, zs, ngo, dalian, organisation, other_organisation
):
    project = ServiceProjectFactory(unit=dalian["zs"])
    login(zs.user).post(f"/staff/projects/{project.pk}/transition/", {"to_state": "published"})
    own = login(ngo.user)
    url = f"/staff/projects/{project.pk}/apply/"
    data = {"proposal": "专业社工", "amount": "48000"}
    assert own.post(url, {**data, "organisation": other_organisation.pk}).status_code == 404
    assert not Application.objects.exists()
    assert own.post(url, {**data, "organisation": organisation.pk}).status_code == 302
    assert Application.objects.filter(project=project, organisation=organisation).exists()
