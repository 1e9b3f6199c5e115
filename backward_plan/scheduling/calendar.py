"""Working time as a sorted list of intervals, and the arithmetic on it.

Times are POSIX timestamps in whole seconds (UTC); durations are whole seconds too, so
that positions add and subtract exactly (float rounding would move a deadline to the
previous shift). A calendar is the list of its working
intervals over a horizon; each interval is one attendance slot (a shift), kept separate
even when two slots touch, and tagged with the local day it belongs to. Everything the
planner needs is a bisection over these arrays, so a step costs O(log n).

Conventions, chosen so that backward and forward scheduling agree:

* ``position(t)`` is the working time elapsed since the start of the horizon.
* ``subtract(t, d)`` returns the *latest* instant ``<= t`` whose position is
  ``position(t) - d``: a latest start falls at the beginning of a shift, not at the end
  of the previous one.
* ``add(t, d)`` returns the *earliest* instant ``>= t`` whose position is
  ``position(t) + d``: an earliest finish falls at the end of a shift.
* An instant is "inside working time" when some interval holds it, ends included.
"""

from bisect import bisect_left, bisect_right
from itertools import accumulate, pairwise

HOUR = 3600

GRANULARITIES = ("day", "shift", "hour")


class HorizonError(ValueError):
    """The arithmetic ran off the calendar's horizon; extend it and try again."""

    def __init__(self, calendar, instant, direction):
        self.calendar = calendar
        self.instant = instant
        self.direction = direction  # "before" or "after"
        super().__init__(f"calendar {calendar.name!r} has no working time {direction} {instant:.0f}")


class EmptyCalendarError(ValueError):
    """A calendar without any working time cannot schedule anything."""

    def __init__(self, name):
        self.name = name
        super().__init__(f"calendar {name!r} has no working time")


class WorkCalendar:
    """Working intervals over a horizon, with day and shift boundaries."""

    __slots__ = ("_cum_end", "_cum_start", "day_ends", "ends", "name", "starts")

    def __init__(self, intervals, name="calendar"):
        """``intervals``: iterable of ``(start, end)`` or ``(start, end, day)``.

        ``day`` is any sortable key of the local working day (a date ordinal, say);
        without it every interval is a day of its own. Intervals must not overlap;
        empty ones are dropped.
        """
        self.name = name
        rows = sorted(
            (round(row[0]), round(row[1]), row[2] if len(row) > 2 else index)
            for index, row in enumerate(intervals)
            if row[1] > row[0]
        )
        if not rows:
            raise EmptyCalendarError(name)
        for previous, current in pairwise(rows):
            if current[0] < previous[1]:
                raise ValueError(f"calendar {name!r}: intervals overlap at {current[0]:.0f}")
        self.starts = [row[0] for row in rows]
        self.ends = [row[1] for row in rows]
        lengths = [end - start for start, end in zip(self.starts, self.ends, strict=True)]
        self._cum_end = list(accumulate(lengths))
        self._cum_start = [cum - length for cum, length in zip(self._cum_end, lengths, strict=True)]
        day_ends = {}
        for _start, end, day in rows:
            day_ends[day] = max(end, day_ends.get(day, end))
        self.day_ends = sorted(day_ends.values())

    def __repr__(self):
        return f"<WorkCalendar {self.name!r}: {len(self.starts)} intervals>"

    # ------------------------------------------------------------------ positions

    @property
    def horizon(self):
        return self.starts[0], self.ends[-1]

    def _index(self, instant):
        """Index of the last interval starting at or before ``instant``."""
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            raise HorizonError(self, instant, "before")
        return index

    def position(self, instant):
        """Working seconds between the start of the horizon and ``instant``."""
        index = self._index(instant)
        return self._cum_start[index] + min(instant, self.ends[index]) - self.starts[index]

    def clamped_position(self, instant):
        """:meth:`position`, 0 before the horizon (no working time there)."""
        return self.position(instant) if instant >= self.starts[0] else 0

    def contains(self, instant):
        """Whether ``instant`` is inside working time (interval ends included)."""
        index = bisect_right(self.starts, instant) - 1
        return index >= 0 and instant <= self.ends[index]

    def working_seconds(self, start, end):
        """Working time between two instants (negative when ``end < start``)."""
        return self.position(end) - self.position(start)

    def start_at(self, position):
        """Latest instant whose position is ``position``: where work starting there begins
        (a shift's start, not the previous shift's end)."""
        index = max(bisect_right(self._cum_start, position) - 1, 0)
        return self.starts[index] + (position - self._cum_start[index])

    def finish_at(self, position):
        """Earliest instant whose position is ``position``: where work ending there ends
        (a shift's end, not the next shift's start)."""
        index = bisect_left(self._cum_end, position)
        if index >= len(self.starts):
            raise HorizonError(self, self.ends[-1], "after")
        return self.starts[index] + (position - self._cum_start[index])

    # ----------------------------------------------------------------- arithmetic

    def subtract(self, instant, seconds):
        """Latest instant ``<= instant`` with ``seconds`` less working time before it."""
        seconds = round(seconds)
        if seconds <= 0:
            return instant
        instant = round(instant)
        target = self.position(instant) - seconds
        if target < 0:
            raise HorizonError(self, instant, "before")
        index = bisect_right(self._cum_start, target) - 1
        return self.starts[index] + (target - self._cum_start[index])

    def add(self, instant, seconds):
        """Earliest instant ``>= instant`` with ``seconds`` more working time before it."""
        seconds = round(seconds)
        if seconds <= 0:
            return instant
        instant = round(instant)
        instant = max(instant, self.starts[0])
        target = self.position(instant) + seconds
        index = bisect_left(self._cum_end, target)
        if index >= len(self.starts):
            raise HorizonError(self, instant, "after")
        return self.starts[index] + (target - self._cum_start[index])

    def floor(self, instant):
        """Latest instant inside working time at or before ``instant``."""
        index = self._index(instant)
        return min(instant, self.ends[index])

    def ceil(self, instant):
        """Earliest instant inside working time at or after ``instant``."""
        index = bisect_right(self.starts, instant) - 1
        if index >= 0 and instant <= self.ends[index]:
            return instant
        if index + 1 >= len(self.starts):
            raise HorizonError(self, instant, "after")
        return self.starts[index + 1]

    # ---------------------------------------------------------------- granularity

    def snap_down(self, instant, granularity):
        """Latest deadline ``<= instant`` on the granularity's grid, in working time.

        ``day``: the end of a working day; ``shift``: the end of an attendance slot;
        ``hour``: a whole hour counted from a slot's start, or a slot's end.
        """
        if granularity == "day":
            return self._latest(self.day_ends, instant)
        if granularity == "shift":
            return self._latest(self.ends, instant)
        if granularity == "hour":
            index = self._index(instant)
            start, end = self.starts[index], self.ends[index]
            if instant >= end:
                return end
            return start + (instant - start) // HOUR * HOUR
        raise ValueError(f"unknown granularity {granularity!r}")

    def snap_up(self, instant, granularity):
        """Earliest deadline ``>= instant`` on the granularity's grid, in working time."""
        if granularity == "day":
            return self._earliest(self.day_ends, instant)
        if granularity == "shift":
            return self._earliest(self.ends, instant)
        if granularity == "hour":
            instant = self.ceil(instant)
            index = self._index(instant)
            start, end = self.starts[index], self.ends[index]
            steps = -((start - instant) // HOUR)  # ceiling division
            return min(start + steps * HOUR, end)
        raise ValueError(f"unknown granularity {granularity!r}")

    def on_grid(self, instant, granularity):
        """Whether ``instant`` is a deadline of the granularity's grid."""
        return self.contains(instant) and self.snap_down(instant, granularity) == instant

    def _latest(self, values, instant):
        index = bisect_right(values, instant) - 1
        if index < 0:
            raise HorizonError(self, instant, "before")
        return values[index]

    def _earliest(self, values, instant):
        index = bisect_left(values, instant)
        if index >= len(values):
            raise HorizonError(self, instant, "after")
        return values[index]
