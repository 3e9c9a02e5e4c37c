"""What moves a stay's nights between the free gaps and the stays: the sync trigger function
and the triggers on reservation that call it (`free_gaps`, ADR 0022).

Only a confirmed stay without an expiry takes a gap, on both sides of an update: a hold
takes none, so the deletion of an expired hold releases nothing, and its confirmation
(`expires_at` set to NULL) takes its gap. Migration 0005 built them before holds
existed (`holds=False`); 0006 rebuilt them with holds.
"""

from __future__ import annotations


def takes_gap(row: str, *, holds: bool = True) -> str:
    """The condition on `row` (a table, OLD or NEW) of a stay whose nights are out of the gaps."""
    if not holds:
        return f"{row}.status = 'confirmed'"
    return f"{row}.status = 'confirmed' AND {row}.expires_at IS NULL"


def sync_function(*, holds: bool = True) -> str:
    """The trigger function moving a stay's nights between the gaps and the stays."""
    return f"""
CREATE OR REPLACE FUNCTION reservation_gap_sync() RETURNS trigger LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  c integer;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.property_id <> OLD.property_id THEN
    RAISE EXCEPTION 'a stay does not move to another property';
  END IF;
  -- Every writer of a property's stays holds this lock (the booking and the cancellation
  -- take it first); taking it here too keeps the gaps exact for any other writer.
  SELECT chunk INTO c FROM property
   WHERE property_id = coalesce(NEW.property_id, OLD.property_id) FOR NO KEY UPDATE;
  IF TG_OP <> 'INSERT' AND {takes_gap("OLD", holds=holds)} THEN
    PERFORM property_gap_release(OLD.property_id, c, daterange(OLD.start_date, OLD.end_date));
  END IF;
  IF TG_OP <> 'DELETE' AND {takes_gap("NEW", holds=holds)} THEN
    PERFORM property_gap_take(NEW.property_id, c, daterange(NEW.start_date, NEW.end_date));
  END IF;
  RETURN NULL;
END $$;
"""  # noqa: S608 -- constants


def reservation_triggers(*, holds: bool = True) -> str:
    """The triggers on reservation: an update fires on what moves a stay in or out of the gaps
    (a confirmation clears `expires_at`; a date change moves the nights)."""
    old, new = takes_gap("OLD", holds=holds), takes_gap("NEW", holds=holds)
    expiry = ", expires_at" if holds else ""
    changed = " OR OLD.expires_at IS DISTINCT FROM NEW.expires_at" if holds else ""
    return f"""
CREATE TRIGGER reservation_gap_insert AFTER INSERT ON reservation
  FOR EACH ROW WHEN ({new}) EXECUTE FUNCTION reservation_gap_sync();
CREATE TRIGGER reservation_gap_delete AFTER DELETE ON reservation
  FOR EACH ROW WHEN ({old}) EXECUTE FUNCTION reservation_gap_sync();
CREATE TRIGGER reservation_gap_update
  AFTER UPDATE OF status{expiry}, start_date, number_of_nights ON reservation FOR EACH ROW
  WHEN ((({old}) OR ({new}))
        AND (OLD.status IS DISTINCT FROM NEW.status{changed}
             OR OLD.start_date <> NEW.start_date OR OLD.number_of_nights <> NEW.number_of_nights))
  EXECUTE FUNCTION reservation_gap_sync();
"""


DROP_RESERVATION_TRIGGERS = """
DROP TRIGGER reservation_gap_update ON reservation;
DROP TRIGGER reservation_gap_delete ON reservation;
DROP TRIGGER reservation_gap_insert ON reservation
"""
