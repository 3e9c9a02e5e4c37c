"""Implementations of the ports declared in `ota_core.ports`."""
