"""Which reads of one reservation go to one shard, from the coordinator's own plans.

A read by id alone cannot know the shard, so Citus asks every shard; a read that
names the reservation's property (`GET /properties/{id}/reservations/{id}`) is
routed to the property's shard. The statements are the adapter's, as it runs them.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from ota_adapters.postgres.citus import SHARD_COUNT
from ota_adapters.postgres.statements import OF_NAMED_PROPERTY, OWNED_RESERVATION

pytestmark = pytest.mark.citus


def _plan(engine: sa.Engine, statement: sa.Select[tuple[object, ...]]) -> str:
    values = {"reservation_id": str(uuid.uuid4()), "owner": str(uuid.uuid4()), "property_id": "P1"}
    with engine.connect() as connection:
        compiled = statement.compile(dialect=connection.dialect)
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.construct_params(values))
        return "\n".join(row[0] for row in rows)


def test_a_read_naming_the_property_runs_on_one_shard(citus_engine: sa.Engine) -> None:
    plan = _plan(citus_engine, OF_NAMED_PROPERTY[OWNED_RESERVATION])

    assert "Task Count: 1\n" in plan + "\n", plan
    assert "Index Scan using reservation_" in plan, plan  # one shard's index


def test_a_read_by_id_alone_asks_every_shard(citus_engine: sa.Engine) -> None:
    plan = _plan(citus_engine, OWNED_RESERVATION)

    assert f"Task Count: {SHARD_COUNT}\n" in plan + "\n", plan
