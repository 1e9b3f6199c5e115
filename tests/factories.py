"""Calendars and chains shared by the core tests."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduling import Attendance, calendar_from_pattern

BRUSSELS = "Europe/Brussels"
TWO_SHIFTS = [Attendance(day, 6, 14) for day in range(5)] + [Attendance(day, 14, 22) for day in range(5)]
OFFICE = [Attendance(day, 8, 12) for day in range(5)] + [Attendance(day, 13, 17) for day in range(5)]
HORIZON = (date(2025, 1, 1), date(2028, 12, 31))


def two_shifts(tz=BRUSSELS, leaves=()):
    return calendar_from_pattern(TWO_SHIFTS, tz, *HORIZON, leaves=leaves, name="two shifts")


def office(tz=BRUSSELS, leaves=()):
    return calendar_from_pattern(OFFICE, tz, *HORIZON, leaves=leaves, name="office")


def at(text, tz=BRUSSELS):
    """A timestamp from local wall-clock text, '2026-03-27 14:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).timestamp()


def local(instant, tz=BRUSSELS):
    return datetime.fromtimestamp(instant, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
