from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from ota_adapters.ids import (
    LEGACY_RESERVATION_NAMESPACE,
    SequentialIds,
    UuidV7Generator,
    legacy_reservation_id,
)
from ota_adapters.sample_data import sample_legacy_stays
from ota_core import PropertyId


def test_uuidv7_ids_carry_version_7_the_rfc_variant_and_the_creation_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    new_id = UuidV7Generator().new_reservation_id()
    after = time.time_ns() // 1_000_000

    assert new_id.version == 7
    assert new_id.variant == uuid.RFC_4122
    assert before <= new_id.int >> 80 <= after


def test_uuidv7_ids_from_one_generator_strictly_increase() -> None:
    generator = UuidV7Generator()
    ids = [generator.new_reservation_id() for _ in range(10_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_uuidv7_ids_are_unique_across_threads() -> None:
    generator = UuidV7Generator()
    with ThreadPoolExecutor(8) as pool:
        batches = list(
            pool.map(lambda _: [generator.new_reservation_id() for _ in range(2000)], range(8))
        )
    ids = [i for batch in batches for i in batch]
    assert len(set(ids)) == len(ids)


def test_sequential_ids_count_up() -> None:
    ids = SequentialIds(start=7)
    assert [ids.new_reservation_id().int for _ in range(3)] == [7, 8, 9]


def test_a_legacy_id_depends_only_on_the_row_it_names() -> None:
    first = legacy_reservation_id(PropertyId("xE6vqTqA6LTwpE"), dt.date(2021, 1, 2), 2)
    assert first == legacy_reservation_id(PropertyId("xE6vqTqA6LTwpE"), dt.date(2021, 1, 2), 2)
    assert first.version == 8
    assert first.variant == uuid.RFC_4122
    assert first != legacy_reservation_id(PropertyId("xE6vqTqA6LTwpE"), dt.date(2021, 1, 2), 3)


def test_a_legacy_id_is_the_rfc_9562_name_based_uuidv8_over_sha256() -> None:
    name = b"xE6vqTqA6LTwpE/2021-01-02/2"
    digest = bytearray(hashlib.sha256(LEGACY_RESERVATION_NAMESPACE.bytes + name).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x80
    digest[8] = digest[8] & 0x3F | 0x80
    expected = uuid.UUID(bytes=bytes(digest))

    assert legacy_reservation_id(PropertyId("xE6vqTqA6LTwpE"), dt.date(2021, 1, 2), 2) == expected


def test_every_legacy_sample_stay_gets_its_own_id() -> None:
    stays = sample_legacy_stays()
    ids = {legacy_reservation_id(s.property_id, s.start_date, s.number_of_nights) for s in stays}
    assert len(stays) == len(ids) == 11
