"""Writing through a read-only unit of work is a type error, which mypy reports."""

from __future__ import annotations

from pathlib import Path

from mypy import api

WRITES = """
from ota_core import Property, PropertyId, ReadOnlyUnitOfWork

def write(uow: ReadOnlyUnitOfWork) -> None:
    uow.properties.add(Property(PropertyId("P1"), "a property"))
    uow.commit()
"""


def test_mypy_refuses_writes_through_a_read_only_unit_of_work(tmp_path: Path) -> None:
    writes = tmp_path / "writes.py"
    writes.write_text(WRITES)

    report, _errors, status = api.run(["--strict", "--no-incremental", str(writes)])

    assert status == 1
    assert '"PropertyReader" has no attribute "add"' in report
    assert '"ReadOnlyUnitOfWork" has no attribute "commit"' in report
