"""`legacy_reservation_id` computed inside PostgreSQL, for the id backfill.

The ids are name-based UUIDv8: the first 128 bits of SHA-256 over the
namespace and "<property_id>/<start ISO>/<nights>", with the version and
variant bits set, exactly as `ota_adapters.ids` computes them. Core
PostgreSQL's `sha256()` does the hashing, so no extension is needed. The
function is created in `pg_temp`: session-local, it leaves nothing in the
schema, and PostgreSQL inlines it into the backfill's UPDATE.
"""

from __future__ import annotations

from ota_adapters.ids import LEGACY_RESERVATION_NAMESPACE

LEGACY_ID_FUNCTION = f"""
CREATE OR REPLACE FUNCTION pg_temp.ota_legacy_reservation_id(
    property_id text, start_date date, nights integer
) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT encode(
        set_byte(
            set_byte(prefix, 6, (get_byte(prefix, 6) & 15) | 128),
            8, (get_byte(prefix, 8) & 63) | 128
        ),
        'hex'
    )::uuid
    FROM (
        SELECT substring(
            sha256(
                uuid_send('{LEGACY_RESERVATION_NAMESPACE}'::uuid)
                || convert_to(property_id || '/' || to_char(start_date, 'YYYY-MM-DD')
                              || '/' || nights::text, 'UTF8')
            )
            FROM 1 FOR 16
        ) AS prefix
    ) AS hashed
$$
"""  # noqa: S608 - the namespace is a constant, not input
"""Run in a session before calling `pg_temp.ota_legacy_reservation_id(...)`."""
