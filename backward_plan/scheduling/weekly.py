"""Working intervals from a weekly attendance pattern in a timezone.

This mirrors what an Odoo ``resource.calendar`` describes (attendances per weekday,
optional two-week alternation, validity dates, leaves) without the ORM, so that the
planner gets plain intervals and a DST change inside a chain is handled by ``zoneinfo``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from .calendar import WorkCalendar


@dataclass(frozen=True, slots=True)
class Attendance:
    """One working slot of a weekly pattern, in the calendar's local time."""

    weekday: int  # Monday is 0, as in Odoo's ``dayofweek``
    hour_from: float
    hour_to: float
    week_type: int | None = None  # 0 or 1 on two-week calendars
    date_from: date | None = None
    date_to: date | None = None


def _local(day, hours, zone):
    minutes = round(hours * 60)
    moment = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return moment.replace(tzinfo=zone).timestamp()


def week_type_of(day):
    """Odoo's week parity for two-week calendars (``resource.calendar.attendance``)."""
    return (day.toordinal() - 1) // 7 % 2


def weekly_intervals(attendances, tz, first_day, last_day, leaves=()):
    """Working intervals ``(start, end, day_ordinal)`` from ``first_day`` to ``last_day``.

    ``leaves`` are ``(start, end)`` timestamps removed from working time (public
    holidays, closures). Intervals are returned sorted; touching slots stay separate.
    The pattern's expansion is cached: planning asks for the same weeks again and again.
    """
    intervals = _pattern_intervals(tuple(attendances), tz or "UTC", first_day, last_day)
    return _remove(intervals, sorted(leaves)) if leaves else list(intervals)


@lru_cache(maxsize=512)
def _pattern_intervals(attendances, tz, first_day, last_day):
    zone = ZoneInfo(tz)
    by_weekday = {}
    for attendance in attendances:
        by_weekday.setdefault(attendance.weekday, []).append(attendance)
    for slots in by_weekday.values():
        slots.sort(key=lambda attendance: attendance.hour_from)
    intervals = []
    day = first_day
    while day <= last_day:
        parity = None
        for attendance in by_weekday.get(day.weekday(), ()):
            if attendance.date_from and day < attendance.date_from:
                continue
            if attendance.date_to and day > attendance.date_to:
                continue
            if attendance.week_type is not None:
                if parity is None:
                    parity = week_type_of(day)
                if attendance.week_type != parity:
                    continue
            start = _local(day, attendance.hour_from, zone)
            end = _local(day, attendance.hour_to, zone)
            if end > start:
                intervals.append((start, end, day.toordinal()))
        day += timedelta(days=1)
    return tuple(intervals)


def _remove(intervals, leaves):
    """Cut sorted ``leaves`` out of sorted ``intervals``."""
    result = []
    leave_index = 0
    for start, end, day in intervals:
        while leave_index < len(leaves) and leaves[leave_index][1] <= start:
            leave_index += 1
        cursor = start
        index = leave_index
        while index < len(leaves) and leaves[index][0] < end:
            leave_start, leave_end = leaves[index]
            if leave_start > cursor:
                result.append((cursor, leave_start, day))
            cursor = max(cursor, leave_end)
            index += 1
        if cursor < end:
            result.append((cursor, end, day))
    return result


def month_horizon(low, high, margin_days):
    """(first day, last day) of whole months around the timestamps ``low``..``high``, with a
    margin: whole months, so that the weeks expanded for one plan serve the next."""
    first = (datetime.fromtimestamp(low, timezone.utc) - timedelta(days=margin_days)).date().replace(day=1)
    after = (datetime.fromtimestamp(high, timezone.utc) + timedelta(days=margin_days + 31)).date().replace(day=1)
    return first, after - timedelta(days=1)


def calendar_from_pattern(attendances, tz, first_day, last_day, leaves=(), name="calendar"):
    """A :class:`WorkCalendar` over the days ``first_day..last_day``."""
    return WorkCalendar(weekly_intervals(attendances, tz, first_day, last_day, leaves), name=name)


def round_the_clock(first_day, last_day, name="24/7"):
    """A calendar that works all the time, one interval per UTC day."""
    intervals = []
    day = first_day
    while day <= last_day:
        start = datetime.combine(day, time(), tzinfo=timezone.utc).timestamp()
        intervals.append((start, start + 86400.0, day.toordinal()))
        day += timedelta(days=1)
    return WorkCalendar(intervals, name=name)
