"""How webhook bodies reach partners: over HTTP, and the fake that keeps them in memory for tests."""

from dataclasses import dataclass, field

import httpx


class HttpSender:
    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=self.timeout)
        except (httpx.HTTPError, httpx.InvalidURL) as error:  # InvalidURL is not an HTTPError
            return f"{type(error).__name__}: {error}"[:500]
        return None if response.is_success else f"HTTP {response.status_code}"


@dataclass(frozen=True)
class SentWebhook:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class RecordingSender:
    """Keeps what it is given instead of sending it. A receiver answers 2xx unless `statuses` gives its URL
    another status; an address the HTTP sender could not send to is refused, and not kept."""

    statuses: dict[str, int] = field(default_factory=dict)
    sent: list[SentWebhook] = field(default_factory=list)

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as error:
            return f"InvalidURL: {error}"[:500]
        if parsed.scheme not in ("http", "https") or not parsed.host:  # what httpx will not send to
            return f"UnsupportedProtocol: {url}"[:500]
        self.sent.append(SentWebhook(url, body, dict(headers)))
        status = self.statuses.get(url, 200)
        return None if 200 <= status < 300 else f"HTTP {status}"
