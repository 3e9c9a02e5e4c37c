"""Search on the cluster answers as on one node, and the `ota` commands work there.

The single-node tests compare every page with the in-memory adapter, as they do
for PostgreSQL itself: on the sample data migrated from its legacy shape (the
tables distributed with their rows), and after random bookings.
"""

from __future__ import annotations

import pytest

from tests.integration import test_cli as commands
from tests.integration.postgres import test_search_matches_memory as search

pytestmark = pytest.mark.citus

test_a_page_of_free_sample_properties_is_the_reference_page = (
    search.test_a_page_of_free_sample_properties_is_the_reference_page
)
test_paging_through_the_sample_gives_the_reference_pages = (
    search.test_paging_through_the_sample_gives_the_reference_pages
)
test_random_bookings_and_searches_agree_with_the_reference = (
    search.test_random_bookings_and_searches_agree_with_the_reference
)
test_migrate_then_load_sample_fill_an_empty_database = (
    commands.test_migrate_then_load_sample_fill_an_empty_database
)
test_forget_idempotency_keys_deletes_only_keys_past_their_retention = (
    commands.test_forget_idempotency_keys_deletes_only_keys_past_their_retention
)
