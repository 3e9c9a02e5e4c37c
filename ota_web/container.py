"""The composition root: the one place that chooses implementations.

`create_app` fills `config` from `Settings` and may override any provider
(tests swap in a fixed clock, sequential ids or their own store). The use
cases the API serves hold no state of their own (each call opens its own unit
of work), so they are singletons too: everything a request needs is built
eagerly by `create_app`, never by racing request threads, and a request only
looks it up.
"""

from __future__ import annotations

import datetime as dt

from dependency_injector import containers, providers

from ota_adapters.clock import SystemClock
from ota_adapters.ids import UuidV7Generator
from ota_core import (
    AvailabilityPolicy,
    CancelReservation,
    ChangeStay,
    ConfirmHold,
    ForgetExpiredHolds,
    ForgetIdempotencyKeys,
    GetCalendar,
    GetReservation,
    ListReservations,
    MakeReservation,
    PlaceHold,
    ReleaseHold,
    SearchAvailability,
)
from ota_web.events import DomainEvents
from ota_web.metrics import Metrics
from ota_web.openapi import openapi_document
from ota_web.storage import postgres_storage, sample_memory_storage


class Container(containers.DeclarativeContainer):
    wiring_config = containers.WiringConfiguration(
        packages=["ota_web.api"], modules=["ota_web.ops"]
    )

    config = providers.Configuration(strict=True)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(UuidV7Generator)
    policy = providers.Singleton(
        AvailabilityPolicy,
        min_nights=config.min_nights,
        max_nights=config.max_nights,
        booking_horizon_days=config.booking_horizon_days,
    )

    # The storage seam: one `Storage` (unit-of-work factory, readiness check,
    # pool usage) per back end, chosen by `STORAGE`. A back end holding
    # connections is a `providers.Resource`, so `shutdown_resources()` closes it.
    storage = providers.Selector(
        config.storage,
        memory=providers.Singleton(sample_memory_storage, clock=clock),
        postgres=providers.Resource(
            postgres_storage,
            url=config.database_url,
            replica_url=config.database_replica_url,
            policy=policy,
            pool_size=config.db_pool_size,
            max_overflow=config.db_max_overflow,
            pool_timeout=config.db_pool_timeout,
            connect_timeout=config.db_connect_timeout,
            statement_timeout_ms=config.db_statement_timeout_ms,
        ),
    )
    unit_of_work = storage.provided.unit_of_work
    read_only_unit_of_work = storage.provided.read_only_unit_of_work
    search_unit_of_work = storage.provided.search_unit_of_work
    readiness_check = storage.provided.check_ready

    metrics = providers.Singleton(Metrics, multiprocess_dir=config.prometheus_multiproc_dir)
    events = providers.Singleton(DomainEvents, metrics=metrics)
    openapi = providers.Singleton(openapi_document, policy=policy)

    search_availability = providers.Singleton(
        SearchAvailability, uow=search_unit_of_work, policy=policy, clock=clock
    )
    make_reservation = providers.Singleton(
        MakeReservation, uow=unit_of_work, policy=policy, clock=clock, ids=ids
    )
    get_reservation = providers.Singleton(GetReservation, uow=read_only_unit_of_work)
    cancel_reservation = providers.Singleton(
        CancelReservation, uow=unit_of_work, policy=policy, clock=clock
    )
    list_reservations = providers.Singleton(ListReservations, uow=read_only_unit_of_work)
    place_hold = providers.Singleton(
        PlaceHold,
        uow=unit_of_work,
        policy=policy,
        clock=clock,
        ids=ids,
        ttl=providers.Factory(dt.timedelta, seconds=config.hold_ttl_seconds),
    )
    confirm_hold = providers.Singleton(ConfirmHold, uow=unit_of_work, clock=clock)
    release_hold = providers.Singleton(ReleaseHold, uow=unit_of_work)
    change_stay = providers.Singleton(ChangeStay, uow=unit_of_work, policy=policy, clock=clock)
    get_calendar = providers.Singleton(GetCalendar, uow=read_only_unit_of_work, clock=clock)
    forget_expired_holds = providers.Factory(ForgetExpiredHolds, uow=unit_of_work, clock=clock)
    forget_idempotency_keys = providers.Factory(
        ForgetIdempotencyKeys,
        uow=unit_of_work,
        clock=clock,
        retention=providers.Factory(dt.timedelta, hours=config.idempotency_key_retention_hours),
    )
