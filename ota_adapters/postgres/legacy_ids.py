"""`legacy_reservation_id` computed inside PostgreSQL, for the id backfill.

The ids are UUIDv5 (SHA-1) over "<property_id>/<start ISO>/<nights>" in
`LEGACY_RESERVATION_NAMESPACE`, exactly as `ota_adapters.ids` computes them.
contrib's `uuid-ossp` is not part of every build (the embedded PostgreSQL has
none), and core PostgreSQL has no SHA-1, so this is SHA-1 in PL/pgSQL, created
as session-local functions in `pg_temp`: they leave nothing in the schema.
"""

from __future__ import annotations

from ota_adapters.ids import LEGACY_RESERVATION_NAMESPACE

SHA1_FUNCTION = r"""
CREATE OR REPLACE FUNCTION pg_temp.ota_sha1(message bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    mask CONSTANT bigint := 4294967295;
    bit_length CONSTANT bigint := length(message)::bigint * 8;
    padded bytea;
    h bigint[] := ARRAY[1732584193, 4023233417, 2562383102, 271733878, 3285377520];
    w bigint[];
    a bigint; b bigint; c bigint; d bigint; e bigint; f bigint; k bigint; t bigint;
    chunk integer; i integer;
BEGIN
    padded := message || '\x80'::bytea
        || decode(repeat('00', ((55 - length(message)) % 64 + 64) % 64), 'hex')
        || int8send(bit_length);
    FOR chunk IN 0 .. length(padded) / 64 - 1 LOOP
        w := array_fill(0::bigint, ARRAY[80], ARRAY[0]);
        FOR i IN 0 .. 15 LOOP
            w[i] := (get_byte(padded, chunk * 64 + i * 4)::bigint << 24)
                  | (get_byte(padded, chunk * 64 + i * 4 + 1) << 16)
                  | (get_byte(padded, chunk * 64 + i * 4 + 2) << 8)
                  | get_byte(padded, chunk * 64 + i * 4 + 3);
        END LOOP;
        FOR i IN 16 .. 79 LOOP
            t := w[i - 3] # w[i - 8] # w[i - 14] # w[i - 16];
            w[i] := ((t << 1) | (t >> 31)) & mask;
        END LOOP;
        a := h[1]; b := h[2]; c := h[3]; d := h[4]; e := h[5];
        FOR i IN 0 .. 79 LOOP
            IF i < 20 THEN
                f := (b & c) | ((b # mask) & d); k := 1518500249;
            ELSIF i < 40 THEN
                f := b # c # d; k := 1859775393;
            ELSIF i < 60 THEN
                f := (b & c) | (b & d) | (c & d); k := 2400959708;
            ELSE
                f := b # c # d; k := 3395469782;
            END IF;
            t := ((((a << 5) | (a >> 27)) & mask) + f + e + k + w[i]) & mask;
            e := d; d := c; c := ((b << 30) | (b >> 2)) & mask; b := a; a := t;
        END LOOP;
        h[1] := (h[1] + a) & mask; h[2] := (h[2] + b) & mask; h[3] := (h[3] + c) & mask;
        h[4] := (h[4] + d) & mask; h[5] := (h[5] + e) & mask;
    END LOOP;
    RETURN substring(int8send(h[1]) FROM 5) || substring(int8send(h[2]) FROM 5)
        || substring(int8send(h[3]) FROM 5) || substring(int8send(h[4]) FROM 5)
        || substring(int8send(h[5]) FROM 5);
END
$$
"""

LEGACY_ID_FUNCTION = f"""
CREATE OR REPLACE FUNCTION pg_temp.ota_legacy_reservation_id(
    property_id text, start_date date, nights integer
) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT AS $$
    WITH hash AS (
        SELECT pg_temp.ota_sha1(
            uuid_send('{LEGACY_RESERVATION_NAMESPACE}'::uuid)
            || convert_to(property_id || '/' || to_char(start_date, 'YYYY-MM-DD')
                          || '/' || nights::text, 'UTF8')
        ) AS digest
    )
    SELECT encode(
        set_byte(
            set_byte(substring(digest FROM 1 FOR 16), 6, (get_byte(digest, 6) & 15) | 80),
            8, (get_byte(digest, 8) & 63) | 128
        ),
        'hex'
    )::uuid
    FROM hash
$$
"""  # noqa: S608 - the namespace is a constant, not input

CREATE_FUNCTIONS = (SHA1_FUNCTION, LEGACY_ID_FUNCTION)
"""Run each in a session before calling `pg_temp.ota_legacy_reservation_id(...)`."""
