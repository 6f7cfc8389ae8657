"""The printable QR poster (issue 3 §7): an A4 PDF in Chinese with the name, hours, services, contact
and QR codes to the public page and the feedback form; on the staff page and the API, in scope only."""

import re

import pytest

from yizhan.core.hours import parse_schedule_text
from yizhan.core.roles import Role
from yizhan.positions.poster import position_poster_pdf, poster_feedback_url, poster_lines, poster_qr_payload

pytestmark = pytest.mark.django_db

A4_POINTS = (595.28, 841.89)


@pytest.fixture
def station(make_position):
    return make_position(
        code="XG-BYL",
        official_name="工会户外劳动者服务站点·八一路环卫驿站",
        public_phone="0411-82345678",
        manager_name="王建国",
        weekly_hours=parse_schedule_text("mon-fri 04:00-22:00; sat,sun 06:00-20:00"),
        facilities=["drinking_water", "microwave", "wifi"],
        abilities=["rest", "heat_food", "drink", "warm_up", "cool_down", "toilet"],
        services=["legal_aid", "policy"],
        own_services=["免费理发"],
    )


@pytest.fixture
def zs_client(dalian_map, make_user, login):
    return login(make_user(Role.UNIT_ADMIN, dalian_map["zs"]))


def test_the_poster_is_a_one_page_a4_pdf(station):
    pdf = position_poster_pdf(station)
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1
    x0, y0, x1, y1 = (float(v) for v in boxes[0])
    assert (x0, y0) == (0, 0)
    assert (x1, y1) == pytest.approx(A4_POINTS, abs=0.01)
    # Two QR codes as images, and the Chinese CID font (no font file embedded).
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) == 2
    assert b"/STSong-Light" in pdf


def test_the_poster_prints_name_hours_offer_and_contact(station):
    lines = poster_lines(station)
    assert lines[0] == "工会户外劳动者服务站点·八一路环卫驿站"
    assert "周一  04:00-22:00" in lines
    assert "周日  06:00-20:00" in lines
    for label in ("累了能歇脚", "急了能如厕", "法律援助", "政策咨询", "免费理发", "饮用水", "无线网络"):
        assert label in lines
    assert "对外联系电话：0411-82345678" in lines
    # The manager's name is masked without recorded consent (spec §11); the mobile is never printed.
    assert "管理员：王**" in lines
    assert not any("王建国" in line for line in lines)
    assert "扫码查看阵地信息" in lines and "扫码留言评价" in lines


def test_a_round_the_clock_position_says_so_and_a_suspended_one_shows_its_state(make_position):
    open_always = make_position(always_open=True, state="operating")
    lines = poster_lines(open_always)
    assert "24 小时开放" in lines
    assert not any(line.startswith("周一") for line in lines)
    assert not any(line.startswith("当前状态") for line in lines)
    planned = make_position()
    assert "当前状态：规划中" in poster_lines(planned)


def test_the_qr_codes_open_the_public_page_and_the_feedback_form(station, settings):
    settings.YIZHAN_PUBLIC_BASE_URL = "https://yizhan.example.cn/"
    assert poster_qr_payload(station) == "https://yizhan.example.cn/p/XG-BYL/"
    assert poster_feedback_url(station) == "https://yizhan.example.cn/p/XG-BYL/feedback/"


def test_the_staff_page_links_and_serves_the_poster(station, zs_client):
    detail = zs_client.get(f"/staff/positions/{station.pk}/").content.decode()
    assert f"/staff/positions/{station.pk}/poster.pdf" in detail
    response = zs_client.get(f"/staff/positions/{station.pk}/poster.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_api_serves_the_poster(station, zs_client):
    response = zs_client.get(f"/api/v1/positions/{station.pk}/poster.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_poster_outside_the_scope_answers_404(dalian_map, make_position, zs_client, client):
    other = make_position(unit=dalian_map["xg"], lng=121.6126, lat=38.9146)
    assert zs_client.get(f"/staff/positions/{other.pk}/poster.pdf").status_code == 404
    assert zs_client.get(f"/api/v1/positions/{other.pk}/poster.pdf").status_code == 404
    assert client.get(f"/api/v1/positions/{other.pk}/poster.pdf").status_code == 401
