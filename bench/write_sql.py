"""The write path's statements under each way of keeping `property_gap` exact.

Values are psycopg2 placeholders: `%(p)s` the property, `%(start)s` and
`%(nights)s` the stay, `%(new_start)s` and `%(new_nights)s` where a date change
moves it, `%(region)s` the first night from which the stay to change is picked
(the first confirmed one of the property; a service would name it by id).

Ways (each a list of statements per operation, run in one transaction):
- `none`: no upkeep at all (the triggers dropped): today's cost.
- `i`: the lock as its own statement, then one statement whose CTEs write the
  stay and the gaps (no trigger). A date change needs a third statement: a CTE
  cannot see what an earlier CTE of its statement changed.
- `ii`: one statement whose CTE locks the property row; the AFTER trigger does
  the upkeep, each of its statements with a fresh snapshot.
- `iii`: (ii), and the trigger takes the lock itself too (a no-op when the
  caller holds it), so a writer that forgot it still keeps the gaps exact.
- `trigger-only`: writers that take no lock, the trigger alone locking.
- `unlocked`: the trigger's upkeep with no lock anywhere, to show what the lock is for.
"""

from __future__ import annotations

LOCK = "SELECT property_id FROM property WHERE property_id = %(p)s FOR NO KEY UPDATE"

PICK = """(SELECT reservation_id FROM reservation
  WHERE property_id = %(p)s AND status = 'confirmed' AND start_date >= %(region)s::date
  ORDER BY start_date LIMIT 1)"""

INSERT = """INSERT INTO reservation
  (reservation_id, property_id, start_date, number_of_nights, status, created_at)
SELECT gen_random_uuid(), property_id, %(start)s::date, %(nights)s, 'confirmed', now()
  FROM {source}
ON CONFLICT ON CONSTRAINT reservation_no_overlap DO NOTHING"""

BOOK_LOCKED = (
    f"WITH locked AS ({LOCK})\n" + INSERT.format(source="locked") + ("\nRETURNING reservation_id")
)
BOOK_PLAIN = INSERT.format(source="(SELECT %(p)s::text AS property_id) AS v") + (
    "\nRETURNING reservation_id"
)

CANCEL_LOCKED = f"""WITH locked AS ({LOCK})
UPDATE reservation r SET status = 'cancelled' FROM locked
 WHERE r.reservation_id = {PICK} AND r.property_id = locked.property_id
RETURNING r.reservation_id"""  # noqa: S608 -- fragments of this module
CANCEL_PLAIN = f"""UPDATE reservation r SET status = 'cancelled'
 WHERE r.reservation_id = {PICK} RETURNING r.reservation_id"""  # noqa: S608

MOVE_LOCKED = f"""WITH locked AS ({LOCK})
UPDATE reservation r SET start_date = %(new_start)s::date, number_of_nights = %(new_nights)s
  FROM locked
 WHERE r.reservation_id = {PICK} AND r.property_id = locked.property_id
RETURNING r.reservation_id"""  # noqa: S608
MOVE_PLAIN = f"""UPDATE reservation r
   SET start_date = %(new_start)s::date, number_of_nights = %(new_nights)s
 WHERE r.reservation_id = {PICK} RETURNING r.reservation_id"""  # noqa: S608

# (i): the gaps written by CTEs of the statement that writes the stay.
TAKE_CTES = """split AS (
  DELETE FROM property_gap g USING {taken} t
   WHERE g.property_id = t.property_id AND g.gap @> t.stay
  RETURNING g.property_id, g.chunk, g.gap, t.stay
), pieces AS (
  INSERT INTO property_gap (property_id, chunk, gap)
  SELECT s.property_id, s.chunk, v.piece
    FROM split s, LATERAL (VALUES (daterange(lower(s.gap), lower(s.stay))),
                                  (daterange(upper(s.stay), upper(s.gap)))) AS v(piece)
   WHERE NOT isempty(v.piece))"""

RELEASE_CTES = """neighbours AS (
  DELETE FROM property_gap g USING {freed} f
   WHERE g.property_id = f.property_id AND g.gap -|- f.stay
  RETURNING g.gap
), merged AS (
  INSERT INTO property_gap (property_id, chunk, gap)
  SELECT f.property_id, (SELECT chunk FROM property WHERE property_id = f.property_id),
         range_merge(range_agg(x.piece))
    FROM {freed} f, LATERAL (SELECT f.stay UNION ALL SELECT gap FROM neighbours) AS x(piece)
   GROUP BY f.property_id)"""

BOOK_CTE = (
    "WITH booked AS (\n"  # noqa: S608 -- fragments of this module
    + INSERT.format(source="(SELECT %(p)s::text AS property_id) AS v")
    + "\nRETURNING reservation_id, property_id, daterange(start_date, end_date) AS stay), "
    + TAKE_CTES.format(taken="booked")
    + "\nSELECT reservation_id FROM booked"
)
CANCEL_CTE = f"""WITH cancelled AS (
  UPDATE reservation r SET status = 'cancelled' WHERE r.reservation_id = {PICK}
  RETURNING r.reservation_id, r.property_id, daterange(r.start_date, r.end_date) AS stay),
{RELEASE_CTES.format(freed="cancelled")}
SELECT reservation_id FROM cancelled"""  # noqa: S608
MOVE_RELEASE_CTE = f"""WITH old AS (
  SELECT reservation_id, property_id, daterange(start_date, end_date) AS stay
    FROM reservation WHERE reservation_id = {PICK}
), moved AS (
  UPDATE reservation r SET start_date = %(new_start)s::date, number_of_nights = %(new_nights)s
    FROM old WHERE r.reservation_id = old.reservation_id
  RETURNING r.reservation_id, old.property_id, old.stay),
{RELEASE_CTES.format(freed="moved")}
SELECT reservation_id FROM moved"""  # noqa: S608
# The stay as the previous statement moved it (none if it moved nothing).
MOVE_TAKE_CTE = (
    "WITH taken AS (SELECT property_id, daterange(start_date, end_date) AS stay"  # noqa: S608
    " FROM reservation WHERE property_id = %(p)s AND status = 'confirmed'"
    " AND start_date = %(new_start)s::date AND number_of_nights = %(new_nights)s), "
    + TAKE_CTES.format(taken="taken")
    + "\nSELECT 1"
)

LOCKED = {"book": [BOOK_LOCKED], "move": [MOVE_LOCKED], "cancel": [CANCEL_LOCKED]}
PLAIN = {"book": [BOOK_PLAIN], "move": [MOVE_PLAIN], "cancel": [CANCEL_PLAIN]}
WAYS: dict[str, dict[str, list[str]]] = {
    "none": LOCKED,
    "i": {
        "book": [LOCK, BOOK_CTE],
        "move": [LOCK, MOVE_RELEASE_CTE, MOVE_TAKE_CTE],
        "cancel": [LOCK, CANCEL_CTE],
    },
    "ii": LOCKED,
    "iii": LOCKED,
    "trigger-only": PLAIN,
    "unlocked": PLAIN,
}
"""Per way, per operation, the statements of its transaction."""

UPKEEP = {"none": None, "i": None, "ii": False, "iii": True, "trigger-only": True,
          "unlocked": False}  # fmt: skip
"""Per way: the triggers installed (True: locking, False: not locking) or dropped (None)."""
