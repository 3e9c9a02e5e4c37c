"""The application factory: settings, container, hooks, error handlers, blueprints."""

from __future__ import annotations

from collections.abc import Mapping

from dependency_injector import providers
from flask import Flask

from ota_web.api import api
from ota_web.api.blueprint import not_stored
from ota_web.container import Container
from ota_web.docs import docs
from ota_web.errors import register_error_handlers
from ota_web.logging import configure_logging
from ota_web.ops import metrics_on_the_app_port, ops
from ota_web.settings import Settings, SettingsError
from ota_web.telemetry import RequestTelemetry, note_route


class OtaFlask(Flask):
    """Flask, holding the container it was built with (tests `unwire()` it)."""

    container: Container


def _apply_overrides(container: Container, overrides: Mapping[str, object]) -> None:
    for name, value in overrides.items():
        provider = getattr(container, name, None)
        if not isinstance(provider, providers.Provider):
            raise KeyError(f"the container has no provider named {name!r}")
        provider.override(
            value if isinstance(value, providers.Provider) else providers.Object(value)
        )


def build_container(settings: Settings, overrides: Mapping[str, object] | None = None) -> Container:
    """The container for `settings`, with every shared object built now, in this process."""
    container = Container()
    container.config.from_dict(settings.as_config())
    _apply_overrides(container, overrides or {})
    if "storage" not in (overrides or {}) and settings.storage not in container.storage.providers:
        raise SettingsError(f"STORAGE={settings.storage} is not available in this build")
    # Only the chosen storage is built (and, if it is a resource, initialised):
    # `init_resources()` would also start the back ends the selector did not pick.
    for shared in (container.storage, container.clock, container.ids, container.policy):
        shared()
    served = (
        container.events,
        container.openapi,
        container.search_availability,
        container.make_reservation,
        container.get_reservation,
        container.cancel_reservation,
        container.list_reservations,
    )
    for service in served:
        service()
    return container


def create_app(
    overrides: Mapping[str, object] | None = None, *, settings: Settings | None = None
) -> OtaFlask:
    """The WSGI application. `overrides` replace container providers by name."""
    settings = Settings.from_env() if settings is None else settings
    configure_logging(settings.log_format, settings.log_level)
    container = build_container(settings, overrides)

    app = OtaFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_length
    app.container = container
    app.wsgi_app = RequestTelemetry(  # type: ignore[method-assign]
        app.wsgi_app, container.metrics(), container.storage().pool_usage
    )
    # Before the api blueprint's token check: a refused request is logged with its route too.
    app.before_request(note_route)
    app.after_request(not_stored)
    register_error_handlers(app, container.events().request_refused)
    for blueprint in (api, ops, docs):
        app.register_blueprint(blueprint)
    if settings.metrics_port is None:
        app.register_blueprint(metrics_on_the_app_port)
    return app
