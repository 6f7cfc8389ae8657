"""Pages and the JSON API end to end through the Django test client: the journey from self-check to
the public result, refusals as messages or JSON errors (never a 500), denials across units and
federations, private attachments."""

import io
import json

import pytest
from PIL import Image

from yizhan.centres import services
from yizhan.centres.choices import ApplicationState, Part
from yizhan.centres.models import Application
from yizhan.centres.tests.conftest import answers_all

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def zs_client(zs, login):
    return login(zs.user)


@pytest.fixture
def fed_client(fed, login):
    return login(fed.user)


def _self_check_post(application) -> dict:
    data = {"self_report": "我区中心按六有标准完成自查"}
    for key, answer in answers_all(application).items():
        if "number" in answer:
            data[f"s-number-{key}"] = str(answer["number"])
        else:
            data[f"s-met-{key}"] = "1"
    return data


def _review_post(application, satisfied="85") -> dict:
    data = {"questionnaire_responses": "100", "questionnaire_satisfied": satisfied, "summary": "看查谈", "finish": "1"}
    for item in application.items.all():
        if item.check_type == "number":
            data[f"r-number-{item.key}"] = str((item.minimum or 0) + 10)
        else:
            data[f"r-met-{item.key}"] = "1"
        data[f"r-methods-{item.key}"] = ["look", "check"]
    return data


def test_page_journey_self_check_file_review_grade_publish(zs_client, fed_client, application, client):
    url = f"/staff/centres/{application.pk}/"
    page = zs_client.get(url)
    assert page.status_code == 200 and "有接待服务大厅" in page.content.decode()
    r = zs_client.post(f"{url}self-check/", _self_check_post(application))
    assert r.status_code == 302
    r = zs_client.post(f"{url}file/", follow=True)
    assert "已申报" in r.content.decode()
    assert zs_client.post(f"{url}review/", _review_post(application)).status_code == 403
    r = fed_client.post(f"{url}review/", _review_post(application), follow=True)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.REVIEWED, r.content.decode()[:3000]
    r = fed_client.post(f"{url}grade/", follow=True)
    body = r.content.decode()
    assert "评定结果：优秀" in body and "结论：优秀" in body
    public = client.get("/centre-results/")
    assert application.round.title in public.content.decode()
    detail = client.get(f"/centre-results/{application.round_id}/").content.decode()
    assert application.centre.official_name in detail and "优秀" in detail
    assert "看查谈" not in detail and "我区中心" not in detail  # nothing of the review or self-check


def test_page_refusals_are_messages(zs_client, fed_client, application):
    url = f"/staff/centres/{application.pk}/"
    r = zs_client.post(f"{url}file/", follow=True)
    assert r.status_code == 200 and "自查未完成" in r.content.decode()
    r = zs_client.post(f"{url}self-check/", {"s-number-centre-area.district_total": "abc"}, follow=True)
    assert "不小于 0 的数值" in r.content.decode()


def test_grade_without_satisfaction_refused_on_the_page(zs, fed_client, application):
    services.self_check_save(actor=zs, application=application, answers=answers_all(application), self_report="r")
    services.application_file(actor=zs, application=application)
    data = _review_post(application)
    data.pop("questionnaire_responses"), data.pop("questionnaire_satisfied")
    fed_client.post(f"/staff/centres/{application.pk}/review/", data)
    r = fed_client.post(f"/staff/centres/{application.pk}/grade/", follow=True)
    assert "缺少职工满意率，不能评定等次" in r.content.decode()
    assert Application.objects.get(pk=application.pk).grade == ""


def test_list_filters_and_counts(zs_client, application, xg_centre, fed_client):
    r = zs_client.get("/staff/centres/", {"state": "draft"})
    body = r.content.decode()
    assert r.status_code == 200 and application.centre.official_name in body and "自查中 1" in body
    assert application.centre.official_name not in zs_client.get("/staff/centres/", {"state": "filed"}).content.decode()
    # the federation may open the round's other centres
    assert xg_centre.official_name in fed_client.get("/staff/centres/").content.decode()
    assert fed_client.get("/staff/centres/", {"state": "nonsense", "round": "x"}).status_code == 200


def test_pages_deny_another_unit_and_another_federation(xg, other_federation, login, application):
    for actor in (xg, other_federation):
        client = login(actor.user)
        assert client.get(f"/staff/centres/{application.pk}/").status_code == 404
        assert client.post(f"/staff/centres/{application.pk}/file/").status_code == 404
        assert client.get(f"/staff/centres/{application.pk}/form.pdf").status_code == 404
        assert application.centre.official_name not in client.get("/staff/centres/").content.decode()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def test_attachment_served_only_through_the_scoped_view(zs_client, xg, login, application, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "media"
    r = zs_client.post(
        f"/staff/centres/{application.pk}/attachments/",
        {"file": SimpleUploadedFile("hall.png", _png(), "image/png"), "caption": "大厅"},
    )
    assert r.status_code == 302
    attachment = application.attachments.get()
    got = zs_client.get(f"/staff/centres/attachments/{attachment.pk}/")
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert b"".join(got.streaming_content).startswith(b"\xff\xd8")
    other = login(xg.user)
    assert other.get(f"/staff/centres/attachments/{attachment.pk}/").status_code == 404
    # no public URL reaches it (decision 36): /media/ refuses the prefix, /files/ checks the scope
    assert zs_client.get(f"/media/{attachment.file.name}").status_code == 404
    assert other.get(f"/files/{attachment.file.name}").status_code == 404
    assert zs_client.get(f"/files/{attachment.file.name}").status_code == 200


def test_api_journey_and_errors(zs_client, fed_client, application, zs):
    base = f"/api/v1/centres/{application.pk}"
    detail = zs_client.get(base).json()
    assert detail["state"] == "draft" and detail["items"]
    answers = {i["key"]: ({"number": "500"} if i["check_type"] == "number" else {"met": True}) for i in detail["items"]}
    r = zs_client.put(f"{base}/self-check", {"answers": answers, "self_report": "报告"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["self_rates"]["hardware"] == "100.00%"
    r = zs_client.put(f"{base}/self-check", {"answers": {"nope": {"met": True}}}, content_type=JSON)
    assert r.status_code == 400 and r.json()["detail"] == "没有条目“nope”"
    assert zs_client.post(f"{base}/file").json()["state"] == "filed"
    review_answers = {k: {**v, "methods": ["look"]} for k, v in answers.items()}
    r = fed_client.put(
        f"{base}/review",
        {"answers": review_answers, "questionnaire_responses": 50, "questionnaire_satisfied": 30},
        content_type=JSON,
    )
    assert r.status_code == 200 and r.json()["rates"]["satisfaction"] == "60.00%"
    r = fed_client.post(f"{base}/transition", {"to_state": "reviewed"}, content_type=JSON)
    assert r.json()["state"] == "reviewed"
    graded = fed_client.post(f"{base}/grade").json()
    assert graded["grade"] == "standard" and graded["explanation"][-1].startswith("结论：达标")
    r = fed_client.post(f"{base}/reward", {"reward": "达标中心", "amount": "1000.50"}, content_type=JSON)
    assert r.json()["reward_fen"] == 100050
    results = fed_client.get("/api/v1/centres/results", {"round_id": application.round_id}).json()
    assert [x["grade_label"] for x in results] == ["达标"]
    listed = zs_client.get("/api/v1/centres", {"grade": "standard"}).json()
    assert [x["id"] for x in listed["items"]] == [application.pk]


def test_api_denies_another_unit_and_federation(xg, other_federation, login, application):
    for actor in (xg, other_federation):
        client = login(actor.user)
        assert client.get(f"/api/v1/centres/{application.pk}").status_code == 404
        assert client.put(f"/api/v1/centres/{application.pk}/self-check", {}, content_type=JSON).status_code == 404
        assert client.post(f"/api/v1/centres/{application.pk}/grade").status_code == 404
        body = {"round_id": application.round_id, "centre_id": application.centre_id}
        assert client.post("/api/v1/centres", body, content_type=JSON).status_code == 404
    assert login(other_federation.user).get("/api/v1/centres/rounds").json()["items"] == []


def test_api_missing_rate_is_a_json_error(zs, fed_client, application):
    services.self_check_save(actor=zs, application=application, answers=answers_all(application), self_report="r")
    services.application_file(actor=zs, application=application)
    answers = {k: {**v, "methods": ["talk"]} for k, v in answers_all(application).items()}
    fed_client.put(
        f"/api/v1/centres/{application.pk}/review", json.dumps({"answers": answers}, default=str), content_type=JSON
    )
    fed_client.post(f"/api/v1/centres/{application.pk}/transition", {"to_state": "reviewed"}, content_type=JSON)
    r = fed_client.post(f"/api/v1/centres/{application.pk}/grade")
    assert r.status_code == 400 and r.json()["detail"] == "缺少职工满意率，不能评定等次"


def test_dashboard_panel_flags_units_without_a_model_centre(fed_client, application):
    body = fed_client.get("/staff/").content.decode()
    assert "本年度尚未培养示范中心的单位" in body
    r = fed_client.get("/staff/centres/models/")
    assert "中山区总工会" in r.content.decode() and "西岗区总工会" in r.content.decode()
    assert [i.part for i in application.items.all()].count(Part.MECHANISM) == 12
