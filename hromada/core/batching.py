"""Rows one request writes several of, gathered and written together when the outermost block ends.

The history events of the state machine and the audit entries both use it: a request that takes several steps
writes each kind in one statement instead of one per step (issue #24, the short write path).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class WriteBatch(Generic[T]):
    """``with batch.collect():`` gathers the rows ``add``-ed inside (per thread) and hands them to ``flush`` when
    the block ends — inside the caller's transaction. Nested blocks join the outermost one; an exception discards
    the gathered rows (the transaction rolls back anyway). Outside a block ``add`` writes at once."""

    def __init__(self, flush: Callable[[list[T]], None]):
        self._flush = flush
        self._local = threading.local()

    def _stack(self) -> list[list[T]]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @contextmanager
    def collect(self) -> Iterator[None]:
        stack = self._stack()
        if stack:
            yield
            return
        pending: list[T] = []
        stack.append(pending)
        try:
            yield
        finally:
            stack.pop()
        if pending:
            self._flush(pending)

    def collecting(self) -> bool:
        """A block is open in this thread: ``add`` gathers instead of writing."""
        return bool(self._stack())

    def add(self, row: T) -> T:
        stack = self._stack()
        if stack:
            stack[0].append(row)
        else:
            self._flush([row])
        return row
