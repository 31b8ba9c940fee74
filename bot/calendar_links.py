"""Calendar subscription links: each group's feed key, and the address members get.

A group's key is HMAC-SHA256 of ``calendar:<slug>`` under ``PEERCIRCLE_HTTP__CALENDAR_KEY``
(the first 32 hex digits): nobody can guess a group's feed without the secret, and
changing the secret changes every link. The HTTP endpoint (``bot.http_endpoint``) checks
it; ``/calendar`` in a chat shows the link when ``[http] public_url`` says where members
can reach the endpoint (through a proxy).
"""

from __future__ import annotations

import hashlib
import hmac

from bot.config.http import HttpSection

__all__ = ["calendar_feed_path", "calendar_key", "feed_link", "key_matches"]


def calendar_key(secret: str, slug: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"calendar:{slug}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def key_matches(secret: str, slug: str, given: str) -> bool:
    """Whether ``given`` is the group's key (compared in constant time)."""
    return hmac.compare_digest(given.encode(), calendar_key(secret, slug).encode())


def calendar_feed_path(secret: str, slug: str) -> str:
    """``/calendar/<slug>.ics?key=...``: what follows the endpoint's address."""
    return f"/calendar/{slug}.ics?key={calendar_key(secret, slug)}"


def feed_link(section: HttpSection, slug: str) -> str | None:
    """The group's feed as members can reach it; None unless the endpoint is on, has a
    secret, and ``public_url`` says where it is."""
    if not section.enabled or section.calendar_key is None or section.public_url is None:
        return None
    path = calendar_feed_path(section.calendar_key.get_secret_value(), slug)
    return section.public_url.rstrip("/") + path
