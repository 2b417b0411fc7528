"""The platform fetches partners' URLs (imports, live feeds) without reaching inside (SSRF).

Real HTTP to a real server on 127.0.0.1 (:mod:`tests.marketplace.feed_server`): refused by
default, accepted when the deployment allows it, and a redirect from an allowed server to an
address inside refused at that hop. Through the app: a GTFS import from a loopback URL fails
its job with ``URL_REFUSED``, and a live feed on loopback records why in its status; the
server is never reached.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import threading
import time
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from marketplace.api.relay import decode_global_id, encode_global_id
from marketplace.app import create_app
from marketplace.identity.actors import Actor
from marketplace.identity.partners import get_partner
from marketplace.ingest.live_feeds import register_live_feed
from marketplace.jobs.gtfs_import import gtfs_import_params
from marketplace.jobs.store import create_job
from marketplace.models import Job, JobKind, LiveFeedKind
from marketplace.outbound import (
    OutboundFailed,
    OutboundPolicy,
    OutboundRefused,
    fetch_url,
)
from marketplace.settings import Settings
from tests.marketplace.feed_server import LOCAL_FEEDS, feed_message, feed_server
from tests.marketplace.helpers import Api, Partners, app_state, published_service, wait_until

STRICT = OutboundPolicy()
MIB = 2**20

QUEUE = """mutation($id: ID!, $url: String) {
  queueGtfsImport(serviceId: $id, url: $url) { id } }"""
JOB = """query($id: ID!) { job(id: $id) { status error { code message } } }"""
REGISTER = """mutation($id: ID!, $kind: LiveFeedKind!, $url: String!) {
  registerLiveFeed(serviceId: $id, kind: $kind, url: $url, intervalS: 60) { kind } }"""
FEEDS = """query($id: ID!) { service(id: $id) { liveFeeds { lastError failures } } }"""


def _fetch(url: str, policy: OutboundPolicy, max_bytes: int = MIB) -> bytes:
    return fetch_url(url, policy=policy, max_bytes=max_bytes, timeout_s=30.0)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
    ],
)
def test_addresses_inside_are_refused_and_named(address: str, kind: str) -> None:
    reason = STRICT.refusal("feeds.example", ipaddress.ip_address(address))
    assert reason is not None and f"a {kind} address: refused" in reason.replace("an ", "a ")
    assert reason.startswith("feeds.example resolves to ")


@pytest.mark.parametrize("address", ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert STRICT.refusal("feeds.example", ipaddress.ip_address(address)) is None


def test_the_operator_setting_allows_hosts_networks_or_everything() -> None:
    env = {"ISSY_OUTBOUND_ALLOW": "feeds.internal, 10.0.0.0/8 ,127.0.0.1"}
    policy = Settings.from_environ(environ={**env, "DATABASE_URL": "sqlite://"}).outbound
    loopback, private = ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("10.9.9.9")
    assert policy.refusal("a.example", private) is None
    assert policy.refusal("a.example", loopback) is None
    assert policy.refusal("feeds.internal", ipaddress.ip_address("192.168.0.7")) is None
    assert policy.refusal("a.example", ipaddress.ip_address("192.168.0.7")) is not None
    # An IPv4-mapped IPv6 address is judged (and allowed) as its IPv4 address.
    assert policy.refusal("a.example", ipaddress.ip_address("::ffff:10.0.0.1")) is None
    everything = Settings.from_environ(
        environ={"ISSY_OUTBOUND_ALLOW_PRIVATE": "1", "DATABASE_URL": "sqlite://"}
    ).outbound
    assert everything.refusal("a.example", loopback) is None
    assert Settings(database_url="sqlite://").outbound.refusal("a", loopback) is not None
    with pytest.raises(ValueError, match="neither a host name nor a network"):
        OutboundPolicy.allowing("feeds.internal, http://x/")


def test_loopback_is_refused_by_default_before_any_connection() -> None:
    with feed_server() as server:
        server.bodies["/gbfs.json"] = (200, b"{}")
        with pytest.raises(OutboundRefused) as refused:
            _fetch(server.url("/gbfs.json"), STRICT)
        port = server.base_url.rsplit(":", 1)[1]
        with pytest.raises(OutboundRefused) as by_name:
            _fetch(f"http://localhost:{port}/gbfs.json", STRICT)
        assert server.hits == {}
    assert refused.value.code == "URL_REFUSED"
    assert str(refused.value).startswith("127.0.0.1 is a loopback address: refused")
    assert "ISSY_OUTBOUND_ALLOW" in str(refused.value)
    assert "localhost resolves to " in str(by_name.value)
    assert "a loopback address: refused" in str(by_name.value)


def test_a_host_name_slow_to_resolve_counts_in_the_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``getaddrinfo`` has no time limit of its own: a resolver that does not answer (here
    one that waits until the test ends) must not hold the fetch past its limit."""
    answered = threading.Event()

    def unanswered(*_args: Any, **_kwargs: Any) -> Any:
        answered.wait(30)
        raise OSError("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", unanswered)
    started = time.monotonic()
    try:
        with pytest.raises(OutboundFailed) as failed:
            fetch_url(
                "http://feeds.example.org/gbfs.json", policy=STRICT, max_bytes=MIB, timeout_s=0.3
            )
    finally:
        answered.set()
    assert time.monotonic() - started < 10  # not the resolver's 30 s
    assert str(failed.value) == (
        "resolving the host feeds.example.org did not finish within the fetch's time limit: "
        "given up"
    )


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://example.org/", "not a url"]
)
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(OutboundRefused, match="refused"):
        _fetch(url, OutboundPolicy(allow_private=True))


def test_an_allowed_local_server_is_read_at_the_address_checked() -> None:
    with feed_server() as server:
        server.bodies["/feed.pb"] = (200, b"payload")
        server.redirects["/old"] = "/feed.pb"
        port = server.base_url.rsplit(":", 1)[1]
        assert _fetch(server.url("/feed.pb"), LOCAL_FEEDS) == b"payload"
        assert _fetch(server.url("/old"), LOCAL_FEEDS) == b"payload"  # a redirect, followed
        by_name = OutboundPolicy.allowing("localhost")
        assert _fetch(f"http://localhost:{port}/feed.pb", by_name) == b"payload"
    # The connection went to the checked IP; the request still names the host it asked for.
    assert server.hosts[-1] == f"localhost:{port}"
    assert server.hits == {"/feed.pb": 3, "/old": 1}


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.1/admin", "10.0.0.1 is a private address"),
        ("http://[::1]:5432/", "::1 is a loopback address"),
        ("file:///etc/passwd", "not an http:// or https:// URL"),
    ],
)
def test_a_redirect_to_an_address_inside_is_refused(target: str, kind: str) -> None:
    # The first hop is allowed (127.0.0.1/32); the hop it redirects to is checked again.
    with feed_server() as server:
        server.redirects["/gbfs.json"] = target
        with pytest.raises(OutboundRefused) as refused:
            _fetch(server.url("/gbfs.json"), LOCAL_FEEDS)
    message = str(refused.value)
    assert message.startswith(server.url("/gbfs.json") + " redirects to ")
    assert kind in message and "refused" in message


def test_a_redirect_to_another_loopback_address_than_the_allowed_one_is_refused() -> None:
    with feed_server() as server:
        port = server.base_url.rsplit(":", 1)[1]
        server.redirects["/a"] = f"http://127.0.0.2:{port}/b"
        with pytest.raises(OutboundRefused, match=r"127\.0\.0\.2 is a loopback address: refused"):
            _fetch(server.url("/a"), LOCAL_FEEDS)


def test_redirects_are_followed_a_bounded_number_of_times() -> None:
    with feed_server() as server:
        server.redirects["/loop"] = "/loop"
        with pytest.raises(OutboundRefused, match="redirects more than 5 times: refused"):
            _fetch(server.url("/loop"), LOCAL_FEEDS)
        assert server.hits == {"/loop": 6}


def test_an_oversize_body_is_refused() -> None:
    with feed_server() as server:
        server.bodies["/big.zip"] = (200, b"x" * (3 * 65_536))
        with pytest.raises(OutboundRefused) as refused:
            _fetch(server.url("/big.zip"), LOCAL_FEEDS, max_bytes=100_000)
        assert _fetch(server.url("/big.zip"), LOCAL_FEEDS, max_bytes=200_000)
    assert "answers more than 100,000 bytes, the most accepted: refused" in str(refused.value)


def test_an_error_status_fails_with_the_status_not_a_trace() -> None:
    with feed_server() as server, pytest.raises(OutboundFailed) as failed:
        _fetch(server.url("/gone"), LOCAL_FEEDS)
    assert str(failed.value) == f"{server.url('/gone')} answered HTTP 404 Not Found"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:9/gtfs.zip", "127.0.0.1 is a loopback address: refused"),
        ("http://169.254.169.254/latest/", "169.254.169.254 is a link-local address: refused"),
        ("http://[::1]/feed", "::1 is a loopback address: refused"),
        ("http://localhost:8000/gbfs.json", "localhost resolves to 127.0.0.1, a loopback address"),
        ("http://api.localhost/gbfs.json", "api.localhost resolves to 127.0.0.1, a loopback"),
    ],
)
def test_an_address_inside_is_refused_when_registered_and_nothing_is_kept(
    api: Api, partners: Partners, url: str, said: str
) -> None:
    """The partner hears it at once, not at the first fetch: no job, no feed."""
    service = published_service(api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None)
    for query, variables in (
        (QUEUE, {"id": service["id"], "url": url}),
        (REGISTER, {"id": service["id"], "kind": "GTFS_RT_ALERTS", "url": url}),
    ):
        error = api.error(query, variables, key=partners.a)
        assert error["extensions"]["code"] == "URL_REFUSED", error
        assert said in error["message"] and "ISSY_OUTBOUND_ALLOW" in error["message"]
    assert api.ok(FEEDS, {"id": service["id"]}, key=partners.a)["service"]["liveFeeds"] == []
    assert api.db.call(lambda s: list(s.exec(select(Job)))) == []


def test_the_operator_setting_lets_a_local_url_be_registered(
    settings: Settings, partners: Partners
) -> None:
    allowed = dataclasses.replace(settings, outbound=OutboundPolicy.allowing("127.0.0.1/32"))
    with TestClient(create_app(allowed)) as client:
        local = Api(client)
        service = published_service(
            local, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None
        )
        variables = {"id": service["id"], "kind": "GTFS_RT_ALERTS", "url": "http://127.0.0.1:9/"}
        assert local.ok(REGISTER, variables, key=partners.a)["registerLiveFeed"]["kind"]


def test_an_import_whose_url_is_refused_at_fetch_fails_its_job_as_url_refused(
    api: Api, partners: Partners
) -> None:
    """A job queued with a URL inside (registered before the check at registration existed,
    or a host name that resolves inside only later) is refused at the fetch all the same."""
    service = published_service(api, partners.a, kind="SHUTTLE", name="Navette", serviceArea=None)
    _, service_id = decode_global_id(service["id"], expected="MobilityService")
    with feed_server() as server:
        server.bodies["/gtfs.zip"] = (200, b"PK")
        params = gtfs_import_params(service_id=service_id, url=server.url("/gtfs.zip"))

        def queued(session: Session) -> int:
            made = create_job(
                session, kind=JobKind.GTFS_IMPORT, params=params, partner_id=partners.a_id
            )
            assert made.id is not None
            return made.id

        job = api.db.call(queued)
        app_state(api.client).jobs.enqueue(job, JobKind.GTFS_IMPORT)
        job_id = encode_global_id("Job", job)
        done: dict[str, Any] = {}

        def finished() -> bool:
            job = api.ok(JOB, {"id": job_id}, key=partners.a)["job"]
            done.update(job)
            return bool(job["status"] in {"SUCCEEDED", "FAILED", "CANCELLED"})

        wait_until(finished, what="the import job", timeout_s=120)
        assert server.hits == {}
    assert done["status"] == "FAILED" and done["error"]["code"] == "URL_REFUSED"
    message = done["error"]["message"]
    assert f"the feed at {server.url('/gtfs.zip')}: 127.0.0.1 is a loopback address" in message
    assert message.endswith("nothing was imported") and "Traceback" not in message


def test_a_live_feed_refused_at_fetch_records_the_refusal_in_its_status(
    api: Api, partners: Partners
) -> None:
    # The app's own poller reads the feed, under the default setting; the feed was registered
    # past the API's check (the operator's command line), as an old registration would be.
    service = published_service(
        api, partners.a, kind="PUBLIC_TRANSPORT", name="Ligne", serviceArea=None
    )
    _, service_id = decode_global_id(service["id"], expected="MobilityService")
    with feed_server() as server:
        server.bodies["/rt.pb"] = (200, feed_message(1_765_000_000).SerializeToString())

        def register(session: Session) -> None:
            partner = get_partner(session, partners.a_id)
            assert partner.id is not None
            register_live_feed(
                session,
                actor=Actor(partner_id=partner.id, partner_name=partner.name, kind=partner.kind),
                service_id=service_id,
                kind=LiveFeedKind.GTFS_RT_ALERTS,
                url=server.url("/rt.pb"),
                interval_s=60,
            )

        api.db.call(register)
        status: dict[str, Any] = {}

        def polled() -> bool:
            feeds = api.ok(FEEDS, {"id": service["id"]}, key=partners.a)["service"]["liveFeeds"]
            status.update(feeds[0])
            return bool(feeds[0]["failures"])

        wait_until(polled, what="the server's poller", timeout_s=60)
        assert server.hits == {}
    assert status["lastError"] == (
        f"could not read {server.url('/rt.pb')}: 127.0.0.1 is a loopback address: refused; "
        "the platform fetches only public internet addresses (an operator may allow others "
        "with ISSY_OUTBOUND_ALLOW_PRIVATE=1 or ISSY_OUTBOUND_ALLOW)"
    )
