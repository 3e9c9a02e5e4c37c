"""Undo actions, so that a unit of work that does not commit leaves the store as it was."""

from __future__ import annotations

from collections.abc import Callable

Undo = Callable[[], object]


class Journal:
    """Undo actions of the current unit of work, newest last."""

    def __init__(self) -> None:
        self._undo: list[Undo] = []

    def record(self, undo: Undo) -> None:
        self._undo.append(undo)

    def undo_all(self) -> None:
        while self._undo:
            self._undo.pop()()

    def forget(self) -> None:
        self._undo.clear()
