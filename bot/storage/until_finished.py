"""A transaction's connection as its executor holds it: usable until the transaction
ends, so an executor kept past its transaction fails loudly instead of running its
statements outside any transaction. Every engine's executors hold one."""

from __future__ import annotations

from typing import Generic, TypeVar

__all__ = ["UntilFinished"]

Conn = TypeVar("Conn")


class UntilFinished(Generic[Conn]):
    __slots__ = ("_conn",)

    def __init__(self, conn: Conn) -> None:
        self._conn: Conn | None = conn

    def get(self) -> Conn:
        if self._conn is None:
            raise RuntimeError("This transaction has already finished; start a new one.")
        return self._conn

    def finish(self) -> None:
        self._conn = None
