"""Working-time arithmetic on interval calendars."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling import (
    HOUR,
    Attendance,
    EmptyCalendarError,
    HorizonError,
    WorkCalendar,
    calendar_from_pattern,
    round_the_clock,
    week_type_of,
    weekly_intervals,
)

from factories import at, local, office, two_shifts

CALENDAR = two_shifts()
OFFICE = office()
INSTANTS = st.integers(min_value=int(at("2026-01-05 00:00")), max_value=int(at("2027-12-20 00:00")))
DURATIONS = st.integers(min_value=0, max_value=2000 * HOUR)


def test_subtract_lands_at_the_start_of_a_shift():
    """Eight working hours before the end of Tuesday's early shift is its start."""
    assert local(CALENDAR.subtract(at("2026-06-02 14:00"), 8 * HOUR)) == "2026-06-02 06:00"


def test_subtract_skips_nights_and_weekends():
    """Two hours before Monday 07:00 are Friday 21:00 to Monday 07:00."""
    assert local(CALENDAR.subtract(at("2026-06-08 07:00"), 2 * HOUR)) == "2026-06-05 21:00"


def test_add_lands_at_the_end_of_a_shift():
    """Sixteen hours from Friday 06:00 end on Friday 22:00, not on Monday 06:00."""
    assert local(CALENDAR.add(at("2026-06-05 06:00"), 16 * HOUR)) == "2026-06-05 22:00"


def test_dst_change_keeps_working_hours():
    """Across the spring DST change an 8-hour shift still holds 8 working hours."""
    monday = at("2026-03-30 14:00")  # first Monday of summer time in Brussels
    assert local(CALENDAR.subtract(monday, 8 * HOUR)) == "2026-03-30 06:00"
    friday = at("2026-03-27 22:00")
    assert CALENDAR.working_seconds(friday, monday) == 8 * HOUR
    assert monday - friday == (2 * 24 + 16) * HOUR - HOUR  # one hour less of wall time


def test_leaves_are_not_working_time():
    """A public holiday is skipped: the work falls on the day before."""
    holiday = (at("2026-05-01 00:00"), at("2026-05-02 00:00"))
    with_holiday = two_shifts(leaves=[holiday])
    assert local(with_holiday.subtract(at("2026-05-04 06:00"), 8 * HOUR)) == "2026-04-30 14:00"


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [("hour", "2026-06-02 10:00"), ("shift", "2026-06-01 22:00"), ("day", "2026-06-01 22:00")],
)
def test_snap_down(granularity, expected):
    """Tuesday 10:40 snaps to 10:00, or to the end of Monday's late shift and day."""
    assert local(CALENDAR.snap_down(at("2026-06-02 10:40"), granularity)) == expected


def test_snap_down_office_day_ends_at_five():
    """An office day ends at 17:00, its morning shift at 12:00."""
    assert local(OFFICE.snap_down(at("2026-06-03 16:30"), "shift")) == "2026-06-03 12:00"
    assert local(OFFICE.snap_down(at("2026-06-03 16:30"), "day")) == "2026-06-02 17:00"
    assert local(OFFICE.snap_down(at("2026-06-03 12:30"), "hour")) == "2026-06-03 12:00"


def test_empty_calendar_is_refused():
    """A calendar without working time cannot be built."""
    with pytest.raises(EmptyCalendarError):
        calendar_from_pattern([Attendance(0, 8, 8)], "UTC", date(2026, 1, 1), date(2026, 2, 1))


def test_running_off_the_horizon_says_so():
    """Subtracting past the first interval raises HorizonError, not a wrong date."""
    calendar = WorkCalendar([(0, 10), (20, 30)])
    with pytest.raises(HorizonError):
        calendar.subtract(25, 16)
    with pytest.raises(HorizonError):
        calendar.add(5, 16)


def test_overlapping_intervals_are_refused():
    """Two attendances that overlap are a configuration error, said as such."""
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar([(0, 10), (5, 30)])


@given(INSTANTS, DURATIONS)
def test_subtract_removes_exactly_the_working_time(instant, seconds):
    start = CALENDAR.subtract(instant, seconds)
    assert start <= instant
    assert CALENDAR.working_seconds(start, instant) == seconds
    if seconds > 0:
        assert CALENDAR.contains(start)


@given(INSTANTS, DURATIONS)
def test_add_adds_exactly_the_working_time(instant, seconds):
    finish = CALENDAR.add(instant, seconds)
    assert finish >= instant
    assert CALENDAR.working_seconds(instant, finish) == seconds


@given(INSTANTS, DURATIONS)
def test_subtract_after_add_never_goes_before_the_start(instant, seconds):
    assert CALENDAR.subtract(CALENDAR.add(instant, seconds), seconds) >= instant - 1e-6


@given(INSTANTS, st.sampled_from(["day", "shift", "hour"]))
def test_snapping_lands_on_the_grid_inside_working_time(instant, granularity):
    down = OFFICE.snap_down(instant, granularity)
    up = OFFICE.snap_up(instant, granularity)
    assert down <= instant <= up
    assert OFFICE.on_grid(down, granularity)
    assert OFFICE.on_grid(up, granularity)
    assert OFFICE.snap_down(up, granularity) == up


def test_two_week_calendars_alternate():
    """Odoo's week parity: a slot of week 0 only works every other week."""
    monday = date(2026, 6, 1)
    pattern = (Attendance(0, 8, 12, week_type=week_type_of(monday)),)
    intervals = weekly_intervals(pattern, "Europe/Brussels", monday, date(2026, 6, 21))
    assert [date.fromordinal(day) for _start, _end, day in intervals] == [date(2026, 6, 1), date(2026, 6, 15)]


def test_attendances_hold_between_their_dates():
    pattern = (Attendance(0, 8, 12, date_from=date(2026, 6, 8), date_to=date(2026, 6, 15)),)
    intervals = weekly_intervals(pattern, "UTC", date(2026, 6, 1), date(2026, 6, 30))
    assert [date.fromordinal(day) for _start, _end, day in intervals] == [date(2026, 6, 8), date(2026, 6, 15)]


def test_round_the_clock_works_all_day():
    calendar = round_the_clock(date(2026, 6, 1), date(2026, 6, 2))
    assert calendar.working_seconds(*calendar.horizon) == 2 * 86400
    assert calendar.ceil(calendar.horizon[0] + 10) == calendar.horizon[0] + 10


def test_ceil_and_floor_and_grid_edges():
    calendar = office()
    friday_evening = at("2026-06-12 19:00")
    assert local(calendar.ceil(friday_evening)) == "2026-06-15 08:00"
    assert local(calendar.floor(friday_evening)) == "2026-06-12 17:00"
    assert local(calendar.snap_up(friday_evening, "day")) == "2026-06-15 17:00"
    assert local(calendar.snap_up(at("2026-06-12 09:30"), "shift")) == "2026-06-12 12:00"
    assert calendar.on_grid(at("2026-06-12 17:00"), "day")
    assert not calendar.on_grid(at("2026-06-12 16:30"), "hour")
    with pytest.raises(ValueError):
        calendar.snap_down(at("2026-06-12 10:00"), "minute")
    with pytest.raises(ValueError):
        calendar.snap_up(at("2026-06-12 10:00"), "minute")
    assert "office" in repr(calendar)
