"""PostgreSQL storage: the ports of `ota_core` over SQLAlchemy Core and psycopg2.

Double booking is impossible in the database itself (an exclusion constraint);
search probes a B-tree with a bounded look-back, then reads each property's free
gaps, kept by triggers. See ADRs 0004 to 0007 and 0022.
"""

from ota_adapters.postgres.embedded import embedded_database
from ota_adapters.postgres.engine import build_engine
from ota_adapters.postgres.migration import migrate, schema_is_current
from ota_adapters.postgres.sample import add_sample_data, prepare_database
from ota_adapters.postgres.uow import (
    PostgresReadOnlyUnitOfWork,
    PostgresUnitOfWork,
)

__all__ = [
    "PostgresReadOnlyUnitOfWork",
    "PostgresUnitOfWork",
    "add_sample_data",
    "build_engine",
    "embedded_database",
    "migrate",
    "prepare_database",
    "schema_is_current",
]
