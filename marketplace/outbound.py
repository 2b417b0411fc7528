"""Fetching a URL a partner gave without letting it reach inside the platform (SSRF guard).

Partners hand the platform URLs it then fetches: a GTFS zip to import, a ``gbfs.json`` or a
GTFS-Realtime feed to poll. Left alone, such a URL could make the server read
``http://127.0.0.1:5432``, the cloud metadata at ``http://169.254.169.254/`` or any internal
host, and hand the answer back in an error or a feed's status. Every outbound fetch goes
through :func:`open_url`, which

- accepts only ``http`` and ``https``;
- resolves the host itself and refuses loopback, private, link-local, multicast, reserved,
  unspecified and other non-public addresses (IPv4 and IPv6, an IPv4-mapped IPv6 address
  judged as the IPv4 one), unless the operator's :class:`OutboundPolicy` allows them;
- connects to the very address it checked (the request goes to the IP, with the name in
  the ``Host`` header and as the TLS server name, so certificates are still verified
  against it): a DNS answer cannot change between the check and the connection;
- follows redirects itself, checking every hop the same way, at most ``max_redirects``;
- stops a body past ``max_bytes`` and the whole fetch past ``timeout_s``, the host name's
  resolution included.

What it refuses raises :class:`OutboundRefused` (``URL_REFUSED``), what fails
:class:`OutboundFailed`; both say what and why in one sentence, never a stack trace.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from marketplace.errors import InvalidInput

if TYPE_CHECKING:
    import httpx

__all__ = [
    "ALLOW_ENV",
    "ALLOW_PRIVATE_ENV",
    "OutboundFailed",
    "OutboundPolicy",
    "OutboundRefused",
    "check_url",
    "fetch_url",
    "open_url",
]

ALLOW_PRIVATE_ENV = "ISSY_OUTBOUND_ALLOW_PRIVATE"
ALLOW_ENV = "ISSY_OUTBOUND_ALLOW"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SCHEMES = {"http": 80, "https": 443}
_CHUNK_BYTES = 64 * 1024
_ADVICE = (
    f"the platform fetches only public internet addresses (an operator may allow others "
    f"with {ALLOW_PRIVATE_ENV}=1 or {ALLOW_ENV})"
)


class OutboundRefused(InvalidInput):
    """The URL may not be fetched: not http(s), an address inside, too many redirects, a
    body too large."""

    code = "URL_REFUSED"


class OutboundFailed(InvalidInput):
    """The URL could not be read: no answer, an HTTP error status, too slow."""


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """Which non-public addresses a deployment lets the platform fetch.

    Attributes
    ----------
    allow_private
        Every address is allowed (a test, or a deployment whose feeds are on its own
        network); only the scheme rule remains.
    allowed_hosts
        Host names (lower case) whose addresses are allowed whatever they are.
    allowed_networks
        Networks (CIDR) whose addresses are allowed.
    max_redirects
        Redirects followed before the fetch is refused.
    """

    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()
    max_redirects: int = 5

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> OutboundPolicy:
        """``ISSY_OUTBOUND_ALLOW_PRIVATE=1`` allows every address; ``ISSY_OUTBOUND_ALLOW``
        is a comma-separated list of host names and CIDR networks allowed.

        Raises
        ------
        ValueError
            An entry of the list that is neither a host name nor a network.
        """
        allow_private = env.get(ALLOW_PRIVATE_ENV, "") in {"1", "true", "yes"}
        return cls.allowing(env.get(ALLOW_ENV, ""), allow_private=allow_private)

    @classmethod
    def allowing(cls, entries: str, *, allow_private: bool = False) -> OutboundPolicy:
        """The policy allowing the comma-separated host names and CIDR networks."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries.split(","):
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if not all(part.isalnum() or part in "-._" for part in entry) or "/" in entry:
                raise ValueError(
                    f"{ALLOW_ENV} entry {raw.strip()!r} is neither a host name nor a network; "
                    "accepted: names such as feeds.internal and networks such as 10.0.0.0/8"
                )
            hosts.add(entry)
        return cls(
            allow_private=allow_private,
            allowed_hosts=frozenset(hosts),
            allowed_networks=tuple(networks),
        )

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why ``host`` at ``address`` may not be fetched, or ``None`` when it may."""
        if self.allow_private or host.lower() in self.allowed_hosts:
            return None
        if any(address in network for network in self.allowed_networks):
            return None
        judged = address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            judged = address.ipv4_mapped
            if any(judged in network for network in self.allowed_networks):
                return None
        kind = _kind(judged)
        if kind is None:
            return None
        shown = str(address) if judged == address else f"{address} ({judged})"
        if _is_literal(host):
            return f"{shown} is {kind} address: refused; {_ADVICE}"
        return f"{host} resolves to {shown}, {kind} address: refused; {_ADVICE}"


def check_url(url: str, *, policy: OutboundPolicy) -> None:
    """Refuse at once, without resolving anything, a URL :func:`open_url` would surely
    refuse: not http(s), no host, an IP address or a ``localhost`` name the policy refuses.

    For the moment a partner registers a URL (a live feed, an import), so that the mistake
    is answered to them then rather than found at the first fetch. A host *name* is only
    resolved, and checked, when fetched: its addresses may change until then.

    Raises
    ------
    OutboundRefused
    """
    import httpx

    shown = url[:200]
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise OutboundRefused(f"{shown} is not a URL ({exc}): refused") from None
    if parsed.scheme not in _SCHEMES:
        raise OutboundRefused(
            f"{shown} is not an http:// or https:// URL: refused; only http and https are fetched"
        )
    host = parsed.host
    if not host:
        raise OutboundRefused(f"{shown} names no host: refused")
    if _is_literal(host):
        reason = policy.refusal(host, ipaddress.ip_address(host))
    elif host.lower() == "localhost" or host.lower().endswith(".localhost"):
        # RFC 6761: such names are the loopback interface, whatever a resolver says.
        reason = policy.refusal(host, ipaddress.ip_address("127.0.0.1"))
    else:
        reason = None
    if reason is not None:
        raise OutboundRefused(reason)


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _kind(address: IPAddress) -> str | None:
    """What makes ``address`` non-public, or ``None`` for a public one."""
    if address.is_loopback:
        return "a loopback"
    if address.is_unspecified:
        return "an unspecified"
    if address.is_link_local:
        return "a link-local"
    if address.is_multicast:
        return "a multicast"
    if address.is_reserved:
        return "a reserved"
    if address.is_private:
        return "a private"
    if not address.is_global:
        return "a non-public"
    return None


_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="outbound-dns")
"""Where host names are resolved: ``getaddrinfo`` has no time limit of its own, so a fetch
waits for it at most its remaining time (an unanswered lookup ends in the pool later)."""


def _resolve(host: str, port: int, timeout_s: float) -> list[IPAddress]:
    """The addresses ``host`` resolves to (an IP literal: itself), within ``timeout_s``."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    lookup = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=timeout_s)
    except FutureTimeout:
        raise OutboundFailed(
            f"resolving the host {host} did not finish within the fetch's time limit: given up"
        ) from None
    except (OSError, UnicodeError) as exc:
        raise OutboundFailed(f"cannot resolve the host {host}: {exc}") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundFailed(f"the host {host} has no address")
    return addresses


def _pinned_requests(
    client: httpx.Client, url: httpx.URL, policy: OutboundPolicy, timeout_s: float
) -> list[httpx.Request]:
    """GETs of ``url``, one sent to each address its host resolves to (every one must be
    allowed), in the resolver's order: the first that connects answers."""
    import httpx

    if url.scheme not in _SCHEMES:
        raise OutboundRefused(
            f"{str(url)[:200]} is not an http:// or https:// URL: refused; "
            "only http and https are fetched"
        )
    host = url.host
    if not host:
        raise OutboundRefused(f"{str(url)[:200]} names no host: refused")
    port = url.port or _SCHEMES[url.scheme]
    addresses = _resolve(host, port, timeout_s)
    for address in addresses:
        reason = policy.refusal(host, address)
        if reason is not None:
            raise OutboundRefused(reason)
    extensions = {"sni_hostname": host} if url.scheme == "https" else {}
    return [
        client.build_request(
            "GET",
            url.copy_with(host=str(address)),
            headers={"Host": url.netloc.decode("ascii")},
            extensions=extensions,
            timeout=httpx.Timeout(timeout_s),
        )
        for address in addresses
    ]


def _send(client: httpx.Client, requests: list[httpx.Request], url: str) -> httpx.Response:
    """The answer to the first of ``requests`` whose address accepts the connection."""
    import httpx

    for index, request in enumerate(requests):
        try:
            return client.send(request, stream=True)
        except httpx.ConnectError as exc:
            if index + 1 < len(requests):
                continue
            raise OutboundFailed(f"no answer from {url}: {exc or type(exc).__name__}") from None
        except httpx.HTTPError as exc:
            raise OutboundFailed(f"no answer from {url}: {exc or type(exc).__name__}") from None
    raise AssertionError("a host resolves to at least one address")


def _remaining_s(deadline: float, url: str, timeout_s: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OutboundFailed(f"{url} took more than {timeout_s:g} s to answer: given up")
    return remaining


def _chunks(
    response: httpx.Response, url: str, max_bytes: int, deadline: float, timeout_s: float
) -> Iterator[bytes]:
    import httpx

    received = 0
    try:
        for chunk in response.iter_bytes(_CHUNK_BYTES):
            received += len(chunk)
            if received > max_bytes:
                raise OutboundRefused(
                    f"{url} answers more than {max_bytes:,} bytes, the most accepted: refused"
                )
            _remaining_s(deadline, url, timeout_s)
            yield chunk
    except httpx.HTTPError as exc:
        raise OutboundFailed(f"{url} stopped answering: {exc or type(exc).__name__}") from None


@contextmanager
def open_url(
    url: str, *, policy: OutboundPolicy, max_bytes: int, timeout_s: float
) -> Iterator[Iterator[bytes]]:
    """The body at ``url``, in chunks, after the redirects (each hop checked).

    Raises
    ------
    OutboundRefused
        Not http(s), an address the policy refuses (at any hop), more than
        ``policy.max_redirects`` redirects, a body over ``max_bytes``.
    OutboundFailed
        An unknown host, no answer, an HTTP error status, more than ``timeout_s`` in all.
    """
    import httpx

    deadline = time.monotonic() + timeout_s
    shown = url[:200]
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise OutboundRefused(f"{shown} is not a URL ({exc}): refused") from None
    # No proxy from the environment: the address checked must be the one connected to.
    with httpx.Client(trust_env=False, follow_redirects=False) as client:
        for hop in range(policy.max_redirects + 1):
            remaining = _remaining_s(deadline, shown, timeout_s)
            try:
                requests = _pinned_requests(client, current, policy, remaining)
            except OutboundRefused as exc:
                if hop == 0:
                    raise
                moved = str(current)[:200]
                raise OutboundRefused(f"{shown} redirects to {moved}; {exc.message}") from None
            response = _send(client, requests, shown)
            try:
                location = response.headers.get("location")
                if response.is_redirect and location:
                    try:
                        current = current.join(location)
                    except httpx.InvalidURL as exc:
                        raise OutboundFailed(
                            f"{shown} redirects to {location[:200]!r}, not a URL ({exc})"
                        ) from None
                    continue
                if response.status_code >= 400:
                    raise OutboundFailed(
                        f"{shown} answered HTTP {response.status_code} {response.reason_phrase}"
                    )
                yield _chunks(response, shown, max_bytes, deadline, timeout_s)
                return
            finally:
                response.close()
    raise OutboundRefused(f"{shown} redirects more than {policy.max_redirects} times: refused")


def fetch_url(url: str, *, policy: OutboundPolicy, max_bytes: int, timeout_s: float) -> bytes:
    """The whole body at ``url`` (:func:`open_url`)."""
    with open_url(url, policy=policy, max_bytes=max_bytes, timeout_s=timeout_s) as chunks:
        return b"".join(chunks)
