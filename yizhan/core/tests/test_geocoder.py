"""The geocoder adapter (issue 14 §5) against a stand-in web service on a local port: Amap's answer
taken as GCJ-02, Tianditu's converted from CGCS2000/WGS-84, answers cached, and every way the
service can fail — no answer in time, a refused key, an HTTP error, an answer that is not JSON, no
service at all — a GeocoderUnavailable with a Chinese message, the service then left alone for a
while. Nothing is patched in our code: the adapter speaks HTTP to the stand-in."""

import time

import pytest

from yizhan.core.geo.crs import CRS, to_gcj02
from yizhan.core.geo.geocoder import (
    NOT_CONFIGURED,
    RESTING,
    GeocoderUnavailable,
    geocode,
    geocoder_service,
)
from yizhan.core.testing.geocoder_server import GeocoderServer

# 二七广场 in 郑州, as Amap answers it (GCJ-02) and as Tianditu would (WGS-84).
ERQI_GCJ = (113.665412, 34.753636)
ERQI_WGS = (113.659266, 34.754826)

AMAP_OK = {
    "status": "1",
    "info": "OK",
    "infocode": "10000",
    "count": "1",
    "geocodes": [
        {
            "formatted_address": "河南省郑州市二七区二七广场",
            "province": "河南省",
            "city": "郑州市",
            "district": "二七区",
            "street": [],
            "number": [],
            "adcode": "410103",
            "location": f"{ERQI_GCJ[0]},{ERQI_GCJ[1]}",
            "level": "兴趣点",
        }
    ],
}
TIANDITU_OK = {
    "msg": "ok",
    "location": {"score": 100, "level": "兴趣点", "lon": ERQI_WGS[0], "lat": ERQI_WGS[1], "keyWord": "郑州市二七广场"},
    "searchVersion": "6.4.9V",
    "status": "0",
}


@pytest.fixture
def server(settings):
    with GeocoderServer() as running:
        settings.YIZHAN_GEOCODER = "amap"
        settings.YIZHAN_GEOCODER_KEY = "amap-key"
        settings.YIZHAN_GEOCODER_URL = running.url
        settings.YIZHAN_GEOCODER_TIMEOUT_SECONDS = 0.5
        settings.YIZHAN_GEOCODER_RETRY_SECONDS = 60
        yield running


def test_amap_answers_in_gcj02_and_is_asked_once_per_text(server):
    server.answer(AMAP_OK)
    found = geocode("二七广场", city_name="郑州市", city_code="410100")
    assert (found.lng, found.lat) == ERQI_GCJ  # Amap is GCJ-02 already: nothing converted
    assert found.label == "河南省郑州市二七区二七广场" and found.level == "兴趣点"
    (asked,) = server.requests
    assert asked["query"]["key"] == ["amap-key"]
    assert asked["query"]["address"] == ["二七广场"] and asked["query"]["city"] == ["410100"]
    assert geocode("二七广场", city_name="郑州市", city_code="410100") == found
    assert len(server.requests) == 1  # the second answer came from the cache


def test_tianditu_answers_in_wgs84_and_is_converted(server, settings):
    settings.YIZHAN_GEOCODER = "tianditu"
    settings.YIZHAN_GEOCODER_KEY = ""
    settings.YIZHAN_TIANDITU_KEY = "map-key"  # the map's key serves when the geocoder has none
    server.answer(TIANDITU_OK)
    found = geocode("二七广场", city_name="郑州市", city_code="410100")
    assert (found.lng, found.lat) == pytest.approx(to_gcj02(*ERQI_WGS, CRS.WGS84), abs=1e-12)
    assert (found.lng, found.lat) != pytest.approx(ERQI_WGS, abs=1e-4)  # ~500 m off unconverted
    (asked,) = server.requests
    assert asked["query"]["tk"] == ["map-key"]
    assert asked["query"]["ds"] == ['{"keyWord": "郑州市二七广场"}']  # no city parameter: named in the text


def test_a_city_centre_is_no_answer_and_no_answer_is_remembered(server):
    fallback = {**AMAP_OK, "geocodes": [{**AMAP_OK["geocodes"][0], "level": "市", "location": "113.62,34.75"}]}
    server.answer(fallback)
    assert geocode("不存在的地方") is None
    server.answer({"status": "1", "info": "OK", "count": "0", "geocodes": []})
    assert geocode("另一个不存在的地方") is None
    assert geocode("不存在的地方") is None
    assert len(server.requests) == 2


def test_no_answer_in_time_is_unavailable_and_the_service_is_left_alone(server):
    server.answer(AMAP_OK, delay=3)
    started = time.monotonic()
    with pytest.raises(GeocoderUnavailable) as problem:
        geocode("二七广场")
    assert time.monotonic() - started < 2
    assert problem.value.message == "地址查询服务在 0.5 秒内没有应答"
    # The next searches do not wait for it again.
    server.answer(AMAP_OK)
    with pytest.raises(GeocoderUnavailable) as again:
        geocode("人民公园")
    assert again.value.message == str(RESTING)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (200, {"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}, "INVALID_USER_KEY"),
        (200, {"status": "0", "info": "DAILY_QUERY_OVER_LIMIT", "infocode": "10003"}, "DAILY_QUERY_OVER_LIMIT"),
        (500, b"<html>Internal Server Error</html>", "HTTP 500"),
        (200, b"<html>login</html>", "应答无法识别"),
        (200, {"status": "1", "geocodes": [{"location": "abc,def", "level": "兴趣点"}]}, "应答无法识别"),
    ],
)
def test_a_refusal_or_a_broken_answer_is_unavailable_with_the_reason(server, status, body, reason, caplog):
    server.answer(body, status=status)
    with pytest.raises(GeocoderUnavailable) as problem:
        geocode("二七广场")
    assert problem.value.message == f"地址查询服务暂时无法使用（{reason}）"
    (logged,) = [r for r in caplog.records if r.name == "yizhan.core.geo.geocoder"]
    assert logged.levelname == "WARNING" and "amap-key" not in logged.getMessage()


def test_tianditu_refusals_and_no_result(server, settings):
    settings.YIZHAN_GEOCODER = "tianditu"
    server.answer({"status": "0", "msg": "ok", "location": {"level": "市", "lon": 113.6, "lat": 34.7}})
    assert geocode("郑州") is None
    server.answer({"status": "1", "msg": "无结果"})
    assert geocode("火星基地") is None
    server.answer({"status": "404", "msg": "权限验证失败"})
    with pytest.raises(GeocoderUnavailable) as problem:
        geocode("二七广场")
    assert "权限验证失败" in problem.value.message


def test_no_service_listening_is_unavailable(settings):
    with GeocoderServer() as stopped:
        url = stopped.url
    settings.YIZHAN_GEOCODER, settings.YIZHAN_GEOCODER_KEY, settings.YIZHAN_GEOCODER_URL = "amap", "k", url
    with pytest.raises(GeocoderUnavailable) as problem:
        geocode("二七广场")
    assert problem.value.message == "地址查询服务暂时无法使用（无法连接）"  # no address or errno for the public


def test_not_configured_is_offline(settings):
    settings.YIZHAN_GEOCODER = "none"
    assert geocoder_service() == "none"
    with pytest.raises(GeocoderUnavailable) as problem:
        geocode("二七广场")
    assert problem.value.message == str(NOT_CONFIGURED) == "未配置地址查询服务（离线模式）"
    settings.YIZHAN_GEOCODER, settings.YIZHAN_GEOCODER_KEY = "amap", ""
    assert geocoder_service() == "none"  # a service without its key is no service
    settings.YIZHAN_GEOCODER_URL = "file:///etc/passwd"
    settings.YIZHAN_GEOCODER_KEY = "k"
    with pytest.raises(GeocoderUnavailable):
        geocode("二七广场")  # only http and https are ever opened
