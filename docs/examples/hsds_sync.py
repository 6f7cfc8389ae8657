#!/usr/bin/env python3
"""Keep a local copy of a federation's public registry in sync with Yizhan (issue 20 §2).

Standard library only, for a partner's own server (a mini-program back end, a union app). Each
run asks the change feed for what changed after the cursor it stored, applies it and stores the
copy and the new cursor; with --interval it polls for ever (once a minute is plenty: an unchanged
poll is answered 304 with no body).

    python3 hsds_sync.py --base https://yizhan.example.org --state copy.json --once
    python3 hsds_sync.py --base https://yizhan.example.org --state copy.json --interval 60 [--key KEY]

The copy (`--state`, JSON) is {"cursor", "etag", "services": {service id: HSDS service}}, every
service fully nested (organization, location with WGS-84 coordinates, schedules, phones). Rules:
- apply changes in the order given; a change with `deleted` removes the service, any other
  replaces it whole; `replaces` names an id the same position had before (its code changed):
  remove that one too;
- store `cursor` only after applying every change of the answer; ask again at once while `more`;
- 410 Gone: the publication was rebuilt, start again from an empty copy without a cursor;
- any other error: keep the copy and the cursor, try again later.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

FEED = "/api/v1/hsds/changes"


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return {"cursor": None, "etag": None, "services": {}}


def save(path: str, state: dict) -> None:
    """Write the copy atomically: a crash leaves the previous copy and cursor, never half of one."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".hsds-sync-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False, sort_keys=True)
    os.replace(temporary, path)


def fetch(base: str, cursor: str | None, etag: str | None, key: str | None):
    """(status, body or None, etag) of one page of the feed."""
    if not base.startswith(("https://", "http://")):
        raise RuntimeError(f"not an http(s) address: {base}")
    query = urllib.parse.urlencode({"since": cursor} if cursor else {})
    url = f"{base.rstrip('/')}{FEED}" + (f"?{query}" if query else "")
    request = urllib.request.Request(url)  # noqa: S310 (http or https, checked above)
    request.add_header("Accept", "application/json")
    if etag:
        request.add_header("If-None-Match", etag)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the partner's own URL)
            return response.status, json.load(response), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, (json.loads(body) if body else None), None


def apply(services: dict, changes: list[dict]) -> None:
    for change in changes:
        if change.get("replaces"):
            services.pop(change["replaces"], None)
        if change["deleted"]:
            services.pop(change["id"], None)
        else:
            services[change["id"]] = change["service"]


def sync(base: str, path: str, key: str | None = None) -> int:
    """One synchronisation: every page of changes after the stored cursor. Returns the number of
    changes applied; raises RuntimeError on an error answer."""
    state = load(path)
    applied = 0
    while True:
        status, body, etag = fetch(base, state["cursor"], state.get("etag"), key)
        if status == 304:
            return applied
        if status == 410:
            state = {"cursor": None, "etag": None, "services": {}}
            continue
        if status != 200:
            raise RuntimeError(f"{status}: {body and body.get('detail')}")
        apply(state["services"], body["changes"])
        applied += len(body["changes"])
        state["cursor"] = body["cursor"]
        # The tag belongs to the question asked with the old cursor: keep it only when nothing
        # moved, so the next identical question can be answered 304.
        state["etag"] = etag if not body["changes"] else None
        save(path, state)
        if not body["more"]:
            return applied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the Yizhan site, e.g. https://yizhan.example.org")
    parser.add_argument("--state", required=True, help="the JSON file holding the copy and the cursor")
    parser.add_argument("--key", default=os.environ.get("YIZHAN_API_KEY"), help="a partner's API key (optional)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--once", action="store_true", help="synchronise once and exit (the default)")
    group.add_argument("--interval", type=float, help="poll for ever, every this many seconds")
    args = parser.parse_args(argv)
    while True:
        try:
            applied = sync(args.base, args.state, args.key)
            print(json.dumps({"applied": applied, "services": len(load(args.state)["services"])}), flush=True)
        except (RuntimeError, OSError) as error:
            print(f"sync failed: {error}", file=sys.stderr, flush=True)
            if args.interval is None:
                return 1
        if args.interval is None:
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
