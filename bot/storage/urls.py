"""Storage addresses: which engine ``storage.url`` names, and how to show it safely.

``sqlite:///relative/path``, ``sqlite:////absolute/path`` or ``sqlite:///:memory:`` name a
SQLite file; ``postgresql://user@host:port/database`` (or ``postgres://``) names a
PostgreSQL database. A PostgreSQL password never belongs in the config file: it comes
from the environment, either in ``PEERCIRCLE_STORAGE__URL`` or as ``PGPASSWORD`` (which
asyncpg reads, like ``~/.pgpass``). An address is only ever shown redacted: scheme, user,
host, port and database, never a password and never the query (which may hold one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from bot.storage.database import StorageError

POSTGRES_SCHEMES = ("postgresql", "postgres")
ACCEPTED = (
    "sqlite:///data/peercircle.sqlite3 (relative to the config file), "
    "sqlite:////absolute/path.sqlite3, sqlite:///:memory: (nothing kept) or "
    "postgresql://user@host:5432/database (the password from PEERCIRCLE_STORAGE__URL or "
    "PGPASSWORD in the environment)"
)


@dataclass(frozen=True, slots=True)
class PostgresAddress:
    """A PostgreSQL database: ``dsn`` as given (it may hold a password from the
    environment: hand it to asyncpg only), ``shown`` for messages and logs."""

    dsn: str
    shown: str
    database: str
    host: str
    port: int | None
    user: str

    def __repr__(self) -> str:  # never the dsn, even in a traceback's locals
        return f"PostgresAddress({self.shown!r})"


def scheme_of(url: str) -> str:
    """The lower-case scheme of ``url`` ("" without one)."""
    scheme, separator, _ = url.strip().partition("://")
    return scheme.lower() if separator else ""


def is_postgres(url: str) -> bool:
    return scheme_of(url) in POSTGRES_SCHEMES


def postgres_address(url: str) -> PostgresAddress:
    """The PostgreSQL database ``url`` names. Raises ``StorageError`` (never quoting the
    address, which may hold a password) when it cannot be read."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        hostname = parts.hostname or ""
    except ValueError:
        raise StorageError(
            "storage.url looks like a PostgreSQL address but cannot be read (check the "
            f"host, the port and any special characters); use {ACCEPTED}"
        ) from None
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise StorageError(
            "storage.url names a PostgreSQL server but no database: add it at the end, "
            "like postgresql://peercircle@localhost:5432/peercircle"
        )
    user = unquote(parts.username or "")
    host = hostname or _query_value(parts.query, "host") or "localhost"
    where = f"{host}:{port}" if port else host
    shown = f"{parts.scheme.lower()}://{user + '@' if user else ''}{where}/{database}"
    return PostgresAddress(url.strip(), shown, database, host, port, user)


def has_password(url: str) -> bool:
    """Whether a PostgreSQL ``url`` carries a password (in its user part or its query)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ":" in url.partition("@")[0].partition("://")[2]
    return parts.password is not None or bool(_query_value(parts.query, "password"))


def shown(url: str) -> str:
    """``url`` as it may appear in a message: a SQLite URL whole, a PostgreSQL one
    redacted, anything else by its scheme only."""
    if is_postgres(url):
        try:
            return postgres_address(url).shown
        except StorageError:
            return "a postgresql:// address"
    if scheme_of(url) == "sqlite":
        return url.strip()
    scheme = scheme_of(url)
    return f"a {scheme}:// address" if scheme else "an address without a scheme"


def _query_value(query: str, key: str) -> str:
    values = parse_qs(query).get(key)
    return values[0] if values else ""


def sqlite_location(url: str, base_dir: Path) -> Path | None:
    """The SQLite file a ``sqlite:///`` URL names (relative paths against ``base_dir``),
    or None for ``sqlite:///:memory:``. Raises ``StorageError`` for any other URL."""
    scheme, separator, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if separator and scheme in POSTGRES_SCHEMES:
        raise StorageError(f"{shown(url)} is a PostgreSQL database, not a SQLite file")
    if not separator or scheme != "sqlite" or not rest.startswith("/") or rest == "/":
        # Only a sqlite URL is echoed whole: another URL may hold a password.
        shown_url = repr(url) if scheme == "sqlite" else shown(url)
        raise StorageError(f"PeerCircle cannot keep its data at {shown_url}; use {ACCEPTED}")
    location = rest[1:]  # sqlite:///x -> "x", sqlite:////abs -> "/abs"
    if location == ":memory:":
        return None
    path = Path(location)
    return path if path.is_absolute() else base_dir / path


def check_storage_url(url: str) -> None:
    """Raise ``StorageError`` unless ``url`` is a storage address PeerCircle can use."""
    if is_postgres(url):
        postgres_address(url)
    else:
        sqlite_location(url, Path("."))


def describe_storage(url: str, base_dir: Path) -> str:
    """Where the data is kept, for an operator: "SQLite, /path", or "PostgreSQL, <the
    redacted address>"."""
    if is_postgres(url):
        return f"PostgreSQL, {shown(url)}"
    path = sqlite_location(url, base_dir)
    return f"SQLite, {'in memory (nothing is kept after a restart)' if path is None else path}"


__all__ = [
    "ACCEPTED",
    "POSTGRES_SCHEMES",
    "PostgresAddress",
    "check_storage_url",
    "describe_storage",
    "has_password",
    "is_postgres",
    "postgres_address",
    "scheme_of",
    "shown",
    "sqlite_location",
]
