"""Webhooks (issue 20 §5): addresses that point inside refused; deliveries signed and timestamped,
made by background jobs after the write (never by it), the cursor moved on success; failures
backed off and the endpoint flagged after MAX_FAILURES, not retried for ever."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from yizhan.core.jobs import runner
from yizhan.core.jobs.models import Job
from yizhan.core.roles import Role
from yizhan.positions import services as position_services
from yizhan.positions.choices import PositionState
from yizhan.publishing import services, webhooks
from yizhan.publishing.models import Partner
from yizhan.publishing.records import service_id_of

RECEIVER = "127.0.0.2"  # a loopback address that is not this site's own name


@pytest.fixture
def fed_admin(dalian_map, make_actor):
    return make_actor(Role.FEDERATION_ADMIN, dalian_map["city"])


@pytest.fixture
def partner(fed_admin, dalian_map):
    return services.partner_create(
        actor=fed_admin, unit=dalian_map["zs"], name="中山小程序", contact_name="李四", contact_phone="13900001111"
    )


class Receiver:
    """A partner's endpoint: records each POST, answers `status`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                if receiver.status in (301, 302):
                    self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((RECEIVER, 0), Handler)
        self.url = f"http://{RECEIVER}:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.YIZHAN_WEBHOOK_ALLOWED_NETWORKS = [f"{RECEIVER}/32"]
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def deliver_due() -> list[Job]:
    jobs = webhooks.webhooks_dispatch()
    for job in jobs:
        runner.job_run(job.pk)
    return jobs


@pytest.mark.parametrize(
    "url",
    [
        "ftp://partner.example.org/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.5/hook",
        "http://172.16.0.1/hook",
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:10.0.0.1]/hook",
        "https://yizhan.example.org/api/v1/hsds/changes",
    ],
)
def test_addresses_inside_or_of_this_site_are_refused(login, fed_admin, partner, settings, url):
    settings.YIZHAN_PUBLIC_BASE_URL = "https://yizhan.example.org"
    client = login(fed_admin.user)
    r = client.post(f"/api/v1/partners/{partner.pk}/webhook", {"url": url}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "webhook_url" and r.json()["detail"]
    partner.refresh_from_db()
    assert partner.webhook_url == ""


def test_a_public_address_is_accepted_and_the_secret_shown_once(login, fed_admin, partner):
    client = login(fed_admin.user)
    r = client.post(
        f"/api/v1/partners/{partner.pk}/webhook", {"url": "http://8.8.8.8/hook"}, content_type="application/json"
    )
    assert r.status_code == 200
    secret = r.json()["secret"]
    partner.refresh_from_db()
    assert partner.webhook_secret == secret and len(secret) == 64
    assert secret not in client.get(f"/api/v1/partners/{partner.pk}").content.decode()
    assert secret not in client.get(f"/staff/publishing/partners/{partner.pk}/").content.decode()


def test_changes_are_pushed_signed_by_a_job_after_the_write(fed_admin, partner, receiver, make_position, zs_admin):
    secret = webhooks.partner_webhook_set(actor=fed_admin, partner=partner, url=receiver.url)
    position = make_position(state=PositionState.OPERATING)
    assert receiver.requests == []  # the write sent nothing
    (job,) = deliver_due()
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    (request,) = receiver.requests
    timestamp = request["headers"]["X-Yizhan-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Yizhan-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    body = json.loads(request["body"])
    assert [(c["id"], c["deleted"]) for c in body["changes"]] == [(service_id_of(position.code), False)]
    partner.refresh_from_db()
    assert partner.webhook_cursor == body["changes"][-1]["seq"]
    # Nothing new: nothing due, nothing sent.
    assert deliver_due() == []
    position_services.position_transition(
        actor=zs_admin, position=position, to_state=PositionState.DELISTED, reason="撤站"
    )
    deliver_due()
    assert json.loads(receiver.requests[-1]["body"])["changes"][0]["deleted"] is True


def test_a_failing_endpoint_is_backed_off_then_flagged(fed_admin, partner, receiver, make_position):
    webhooks.partner_webhook_set(actor=fed_admin, partner=partner, url=receiver.url)
    make_position(state=PositionState.OPERATING)
    receiver.status = 500
    deliver_due()
    partner.refresh_from_db()
    assert partner.webhook_failures == 1 and partner.webhook_error == "HTTP 500" and not partner.webhook_failing
    wait = (partner.webhook_next_at - timezone.now()).total_seconds()
    assert webhooks.BACKOFF_S[0] - 5 < wait <= webhooks.BACKOFF_S[0]
    assert deliver_due() == []  # not before its time
    for attempt in range(2, webhooks.MAX_FAILURES + 1):
        Partner.objects.filter(pk=partner.pk).update(webhook_next_at=timezone.now() - timedelta(seconds=1))
        deliver_due()
        partner.refresh_from_db()
        assert partner.webhook_failures == attempt
    assert partner.webhook_failing and "已停止推送" in partner.webhook_error
    Partner.objects.filter(pk=partner.pk).update(webhook_next_at=None)
    assert deliver_due() == []  # flagged: not retried for ever
    assert len(receiver.requests) == webhooks.MAX_FAILURES
    # Setting the address again starts afresh.
    receiver.status = 200
    webhooks.partner_webhook_set(actor=fed_admin, partner=partner, url=receiver.url)
    partner.refresh_from_db()
    assert not partner.webhook_failing and partner.webhook_failures == 0


def test_a_redirect_is_a_failure_not_followed(fed_admin, partner, receiver, make_position):
    webhooks.partner_webhook_set(actor=fed_admin, partner=partner, url=receiver.url)
    make_position(state=PositionState.OPERATING)
    receiver.status = 302
    deliver_due()
    partner.refresh_from_db()
    assert partner.webhook_failures == 1 and partner.webhook_error == "HTTP 302"
    assert len(receiver.requests) == 1


def test_the_page_sets_the_address_and_shows_the_secret_once(login, fed_admin, partner, receiver):
    client = login(fed_admin.user)
    r = client.post(f"/staff/publishing/partners/{partner.pk}/webhook/", {"url": "http://10.0.0.1/x"})
    assert r.status_code == 400 and "内网" in r.content.decode()
    r = client.post(f"/staff/publishing/partners/{partner.pk}/webhook/", {"url": receiver.url})
    assert r.status_code == 200 and "data-webhook-secret" in r.content.decode()
    partner.refresh_from_db()
    assert partner.webhook_secret in r.content.decode()
    assert partner.webhook_secret not in client.get(f"/staff/publishing/partners/{partner.pk}/").content.decode()
