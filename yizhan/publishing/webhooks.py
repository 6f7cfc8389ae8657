"""Webhooks (issue 20 §5): a signed POST to a partner's address per batch of changes of its subtree.

- Never in a write's path: writes only reach the kernel's change feed (triggers). `webhooks_dispatch`
  (the `yizhan publishing-webhooks` loop beside the job worker, every few seconds) brings the
  publication up to date and starts one background job (core/jobs, kind "publishing.webhook") per
  partner that has undelivered changes and is due; the job makes the POSTs.
- The body is the change feed's own answer (`{"cursor", "more", "changes"}`, at most 1,000
  changes, the partner's subtree only); headers `X-Yizhan-Timestamp` (Unix seconds) and
  `X-Yizhan-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>`;
  a receiver checks the signature and refuses old timestamps (replays).
- A 2xx answer moves the partner's cursor on; anything else (an error status, a timeout, a refused
  address) is a failure: the next attempt waits BACKOFF_S[n] (30 s doubling to an hour), and after
  MAX_FAILURES in a row the address is flagged failing and no longer tried until an admin sets it
  again (the partner's page shows why).
- Addresses: http or https only; every address the host resolves to must be public (not private,
  loopback, link-local, reserved, shared or multicast) and the host must not be this site, checked
  when set and again before every POST (a name may be re-pointed); redirects are not followed.
  `YIZHAN_WEBHOOK_ALLOWED_NETWORKS` admits networks on purpose (a partner on the union's intranet).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.core.errors import ApplicationError
from yizhan.core.jobs.choices import JobState
from yizhan.core.jobs.models import Job
from yizhan.core.jobs.registry import JobKind
from yizhan.core.roles import Action
from yizhan.core.scoping import Actor, get_for_actor
from yizhan.publishing import selectors
from yizhan.publishing.api import feed_text
from yizhan.publishing.models import Partner
from yizhan.publishing.publication import refresh

KIND = "publishing.webhook"
BATCH = 1000
BATCHES_PER_JOB = 20
TIMEOUT_S = 10
MAX_FAILURES = 8
BACKOFF_S = (30, 60, 120, 300, 600, 1200, 3600)

BAD_SCHEME = _("推送地址必须以 http:// 或 https:// 开头")
NO_HOST = _("推送地址缺少主机名")
UNRESOLVED = _("推送地址的主机名无法解析：{host}")
PRIVATE_ADDRESS = _("推送地址指向内网、本机或保留地址（{address}），不能使用")
THIS_HOST = _("推送地址不能指向本平台自身")
FLAGGED = _("连续 {count} 次推送失败，已停止推送；请合作方修复后重新设置推送地址")
MEMBERSHIP_GONE = _("设置推送地址的账号已不再担任该角色，请重新设置推送地址")


# ------------------------------------------------------------------ addresses


def _allowed_networks() -> list:
    return [ipaddress.ip_network(n, strict=False) for n in settings.YIZHAN_WEBHOOK_ALLOWED_NETWORKS]


def _own_hosts() -> set[str]:
    hosts = {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")}
    hosts |= {(urlsplit(settings.YIZHAN_PUBLIC_BASE_URL).hostname or "").lower()}
    hosts |= {socket.gethostname().lower(), socket.getfqdn().lower(), "localhost"}
    return hosts - {""}


def url_refusal(url: str) -> str | None:
    """Why `url` may not receive webhooks, or None."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return str(BAD_SCHEME)
    host = (parts.hostname or "").lower()
    if not host:
        return str(NO_HOST)
    if host in _own_hosts():
        return str(THIS_HOST)
    try:
        infos = socket.getaddrinfo(
            host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        return str(UNRESOLVED.format(host=host))
    allowed = _allowed_networks()
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in network for network in allowed):
            continue
        if not address.is_global or address.is_multicast:
            return str(PRIVATE_ADDRESS.format(address=address))
    return None


# ------------------------------------------------------------------ setting the address


@transaction.atomic
def partner_webhook_set(*, actor: Actor, partner: Partner, url: str) -> str:
    """Set (or, with "", remove) the partner's webhook address. A new secret is made each time and
    returned: it is shown once, to be given to the partner. Deliveries start from the changes
    after now, in the name of the actor's membership."""
    partner = get_for_actor(Partner.objects.select_for_update(), actor, Action.UPDATE, pk=partner.pk)
    url = url.strip()
    if url:
        refusal = url_refusal(url)
        if refusal:
            raise ApplicationError(refusal, field="webhook_url")
    head = refresh()
    partner.webhook_url = url
    partner.webhook_secret = secrets.token_hex(32) if url else ""
    partner.webhook_membership = actor.membership if url else None
    partner.webhook_cursor = head.seq
    partner.webhook_failures = 0
    partner.webhook_next_at = None
    partner.webhook_failing = False
    partner.webhook_error = ""
    partner.save()
    return partner.webhook_secret


# ------------------------------------------------------------------ delivering


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other non-2xx: a failure


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, secret: str, body: bytes) -> str | None:
    """POST the body; None on a 2xx answer, else why not."""
    refusal = url_refusal(url)
    if refusal:
        return refusal
    timestamp = str(int(time.time()))
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (http(s), checked)
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("User-Agent", "Yizhan-Webhook/1")
    request.add_header("X-Yizhan-Timestamp", timestamp)
    request.add_header("X-Yizhan-Signature", signature(secret, timestamp, body))
    try:
        with _opener.open(request, timeout=TIMEOUT_S) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"[:300]
    return None if 200 <= status < 300 else f"HTTP {status}"


def _batch(partner: Partner) -> tuple[bytes, int, bool] | None:
    """(body, last number, more) of the next batch for the partner, or None when nothing is left:
    the change feed's own answer for the partner's subtree."""
    reader = selectors.Reader(subtree=partner.unit.path, key_id=-partner.pk)
    head = refresh()
    body, count, last, more = feed_text(reader, head, after=partner.webhook_cursor, limit=BATCH)
    if not count:
        return None
    return body.encode(), last, more


def webhook_deliver(partner: Partner) -> dict:
    """Send the partner's undelivered changes, batch by batch, until done, a failure or
    BATCHES_PER_JOB batches; record the outcome on the partner."""
    sent = 0
    for _round in range(BATCHES_PER_JOB):
        partner.refresh_from_db()
        if not partner.webhook_url or partner.webhook_failing:
            break
        batch = _batch(partner)
        if batch is None:
            break
        body, last, more = batch
        error = _post(partner.webhook_url, partner.webhook_secret, body)
        if error is not None:
            _failed(partner, error)
            return {"sent": sent, "error": error}
        Partner.objects.filter(pk=partner.pk).update(
            webhook_cursor=last, webhook_failures=0, webhook_next_at=None, webhook_error=""
        )
        sent += 1
        if not more:
            break
    return {"sent": sent}


def _failed(partner: Partner, error: str) -> None:
    failures = partner.webhook_failures + 1
    if failures >= MAX_FAILURES:
        Partner.objects.filter(pk=partner.pk).update(
            webhook_failures=failures,
            webhook_failing=True,
            webhook_next_at=None,
            webhook_error=str(FLAGGED.format(count=failures)) + f"（{error}）"[:200],
        )
        return
    wait = BACKOFF_S[min(failures - 1, len(BACKOFF_S) - 1)]
    Partner.objects.filter(pk=partner.pk).update(
        webhook_failures=failures, webhook_next_at=timezone.now() + timedelta(seconds=wait), webhook_error=error
    )


def _job_params(actor: Actor, params: dict) -> dict:
    partner_id = params.get("partner")
    if not isinstance(partner_id, int):
        raise ApplicationError("partner 必须是合作方编号", field="partner")
    get_for_actor(Partner.objects, actor, Action.UPDATE, pk=partner_id)
    return {"partner": partner_id}


def webhook_job(job, progress) -> dict:
    partner = Partner.objects.select_related("unit").get(pk=job.params["partner"])
    return webhook_deliver(partner)


JOB_KIND = JobKind(
    name=KIND,
    label=_("推送变更给合作方"),
    run=webhook_job,
    permission=(Action.UPDATE, "publishing.partner"),
    atomic=False,
    check_params=_job_params,
)


# ------------------------------------------------------------------ dispatching


def due_partners(*, now=None) -> list[Partner]:
    """Partners with an address, not flagged, past their back-off, with undelivered changes in
    their subtree and no delivery job waiting or running."""
    now = now or timezone.now()
    refresh()
    partners = Partner.objects.filter(active=True, webhook_failing=False).exclude(webhook_url="").select_related("unit")
    busy = {
        params.get("partner")
        for params in Job.objects.filter(kind=KIND, state__in=(JobState.QUEUED, JobState.RUNNING)).values_list(
            "params", flat=True
        )
    }
    due = []
    for partner in partners:
        if partner.pk in busy or (partner.webhook_next_at is not None and partner.webhook_next_at > now):
            continue
        reader = selectors.Reader(subtree=partner.unit.path, key_id=-partner.pk)
        if selectors.feed_rows(reader, after=partner.webhook_cursor).exists():
            due.append(partner)
    return due


def webhooks_dispatch(*, now=None) -> list[Job]:
    """Start a delivery job for every due partner, in the name of whoever set its address."""
    from yizhan.core.jobs.services import job_start
    from yizhan.orgs.selectors import actor_for_user

    started = []
    for partner in due_partners(now=now):
        membership = partner.webhook_membership
        if membership is None or not membership.user.is_active:
            Partner.objects.filter(pk=partner.pk).update(webhook_failing=True, webhook_error=str(MEMBERSHIP_GONE))
            continue
        actor = actor_for_user(membership.user, membership)
        started.append(job_start(actor=actor, kind=KIND, params={"partner": partner.pk}))
    return started
