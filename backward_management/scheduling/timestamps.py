"""Conversions between Odoo's naive UTC datetimes and the core's timestamps."""

from datetime import datetime, timezone


def to_timestamp(moment):
    """Whole seconds since the epoch of a naive UTC datetime (Odoo's storage)."""
    return round(moment.replace(tzinfo=timezone.utc).timestamp())


def from_timestamp(instant):
    """The naive UTC datetime Odoo stores for a timestamp."""
    return datetime.fromtimestamp(round(instant), tz=timezone.utc).replace(tzinfo=None)
