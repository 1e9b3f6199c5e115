"""Conversions between Odoo's naive UTC datetimes and the core's timestamps.

Plain arithmetic on the epoch rather than ``datetime.timestamp()``: the watch converts
hundreds of thousands of dates a pass, and this is four times faster. Odoo stores whole
seconds; a fraction of a second is dropped.
"""

from datetime import datetime, timedelta

EPOCH = datetime(1970, 1, 1)
SECOND = timedelta(seconds=1)


def to_timestamp(moment):
    """Whole seconds since the epoch of a naive UTC datetime (Odoo's storage)."""
    return (moment.replace(tzinfo=None) - EPOCH) // SECOND


def from_timestamp(instant):
    """The naive UTC datetime Odoo stores for a timestamp."""
    return EPOCH + timedelta(seconds=round(instant))
