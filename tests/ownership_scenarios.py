"""Two principals, any sequence of book / read / list / cancel / retry: neither observes
nor changes the other's reservations. One property, run by the use cases and over HTTP.

A driver performs the actions its own way; `run` checks every answer against what each
principal booked, so the two runs check the same thing.
"""

from __future__ import annotations

from typing import Protocol

import attrs
from hypothesis import strategies as st

PRINCIPALS = ("A", "B")
PROPERTIES = ("1BlCOXqGH2MZb2", "H75e1FjJFudcbC")  # free in the sample data from 2026 on
KEYS = (None, "k1", "k2")


@attrs.frozen
class Book:
    who: str
    property_id: str
    day: int  # days after the driver's first bookable day
    nights: int
    key: str | None


@attrs.frozen
class Read:
    who: str
    nth: int  # the nth reservation booked so far, by anyone (modulo)


@attrs.frozen
class List:
    who: str


@attrs.frozen
class Cancel:
    who: str
    nth: int


@attrs.frozen
class Retry:
    who: str
    nth: int  # the nth booking request sent so far, sent again by `who` (modulo)


Action = Book | Read | List | Cancel | Retry

_who = st.sampled_from(PRINCIPALS)
_nth = st.integers(0, 20)
actions = st.lists(
    st.one_of(
        st.builds(
            Book,
            _who,
            st.sampled_from(PROPERTIES),
            st.integers(0, 15),
            st.integers(1, 4),
            st.sampled_from(KEYS),
        ),
        st.builds(Read, _who, _nth),
        st.builds(List, _who),
        st.builds(Cancel, _who, _nth),
        st.builds(Retry, _who, _nth),
    ),
    max_size=25,
)


class Driver(Protocol):
    def book(self, action: Book) -> str | None:
        """The reservation id answered, or None for a refusal (taken nights, a reused key)."""

    def read(self, who: str, reservation_id: str) -> str | None:
        """The status `who` is shown, or None for not found."""

    def list(self, who: str) -> dict[str, str]:
        """Every reservation `who` is shown, by id: its status."""

    def cancel(self, who: str, reservation_id: str) -> bool:
        """True when cancelled (or cancelled already), False when not found."""


@attrs.define
class _Known:
    """Who booked what, and what became of it, as the answers so far tell."""

    owner: dict[str, str] = attrs.Factory(dict)
    status: dict[str, str] = attrs.Factory(dict)
    sent: list[Book] = attrs.Factory(list)

    def own(self, who: str) -> dict[str, str]:
        return {r: self.status[r] for r, o in self.owner.items() if o == who}

    def book(self, driver: Driver, step: Book) -> None:
        self.sent.append(step)
        made = driver.book(step)
        if made is not None:
            # A new reservation, or one this principal made before: never the other's.
            assert self.owner.setdefault(made, step.who) == step.who, (step, made)
            self.status.setdefault(made, "confirmed")

    def read_or_cancel(self, driver: Driver, step: Read | Cancel) -> None:
        target = sorted(self.owner)[step.nth % len(self.owner)]
        mine = self.owner[target] == step.who
        if isinstance(step, Read):
            assert driver.read(step.who, target) == (self.status[target] if mine else None)
            return
        assert driver.cancel(step.who, target) is mine
        if mine:
            self.status[target] = "cancelled"


def run(driver: Driver, steps: list[Action]) -> None:
    known = _Known()
    for step in steps:
        if isinstance(step, Retry):
            if known.sent:
                known.book(driver, attrs.evolve(known.sent[step.nth % len(known.sent)],
                                                who=step.who))  # fmt: skip
        elif isinstance(step, Book):
            known.book(driver, step)
        elif isinstance(step, List):
            assert driver.list(step.who) == known.own(step.who)
        elif known.owner:
            known.read_or_cancel(driver, step)
    for who in PRINCIPALS:  # in the end, each sees exactly their own, as they left them
        assert driver.list(who) == known.own(who)
