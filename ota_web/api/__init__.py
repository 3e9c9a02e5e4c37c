"""The versioned JSON API: views translate HTTP to one use case call and back."""

from ota_web.api import calendar, holds, mine, reservations, search
from ota_web.api.blueprint import api

__all__ = ["api", "calendar", "holds", "mine", "reservations", "search"]
