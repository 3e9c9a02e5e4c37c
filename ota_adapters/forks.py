"""State that a process forked from this one must not keep as it inherits it."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def reset_in_forked_children(owner: T, reset: Callable[[T], None]) -> None:
    """Have every child forked from now on call `reset(owner)` first, while `owner` lives.

    The hook holds `owner` by a weak reference: an object nothing else keeps is
    not kept alive for it (the interpreter has no way to unregister a hook).
    """
    alive = weakref.ref(owner)

    def after_fork_in_child() -> None:
        found = alive()
        if found is not None:
            reset(found)

    os.register_at_fork(after_in_child=after_fork_in_child)
