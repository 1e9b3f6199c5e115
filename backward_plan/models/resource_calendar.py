from collections import defaultdict

from odoo import _, api, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..scheduling import (
    Attendance,
    EmptyCalendarError,
    WorkCalendar,
    to_timestamp,
    weekly_intervals,
)


class ResourceCalendar(models.Model):
    _name = "resource.calendar"
    _inherit = ["resource.calendar", "backward.cache.mixin"]

    @api.model
    @tools.ormcache("calendar_ids")
    def _backward_patterns(self, calendar_ids):
        """{calendar id: (name, tz, weekly attendances, company id)} of the core, cached.

        One statement, as the leaves are read: the cache is shared by every caller (the
        planner, the timeline, the load report), so it must not depend on who fills it.
        Attendances change rarely and clear the cache (see resource.calendar.attendance).
        A calendar deleted since is left out.
        """
        self.flush_model(["name", "tz", "company_id", "two_weeks_calendar"])
        self.env["resource.calendar.attendance"].flush_model(
            ["calendar_id", "display_type", "day_period", "dayofweek", "hour_from", "hour_to", "week_type"]
            + ["date_from", "date_to", "sequence"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.name, c.tz, c.company_id, c.two_weeks_calendar,
                       a.id, a.dayofweek, a.hour_from, a.hour_to, a.week_type, a.date_from, a.date_to
                  FROM resource_calendar c
                  LEFT JOIN resource_calendar_attendance a
                    ON a.calendar_id = c.id AND a.display_type IS NULL AND a.day_period IS DISTINCT FROM 'lunch'
                 WHERE c.id = ANY(%s)
                 ORDER BY c.id, a.sequence, a.week_type, a.dayofweek, a.hour_from, a.id
                """,
                list(calendar_ids),
            )
        )
        patterns = {}
        for row in self.env.cr.fetchall():
            calendar_id, name, tz, company_id, two_weeks, attendance_id, *hours = row
            pattern = patterns.setdefault(calendar_id, (name, tz, [], company_id or False))[2]
            if attendance_id is None:
                continue  # a calendar without attendances
            dayofweek, hour_from, hour_to, week_type, date_from, date_to = hours
            pattern.append(
                Attendance(
                    weekday=int(dayofweek),
                    hour_from=hour_from,
                    hour_to=hour_to,
                    # as Odoo does, a one-week calendar ignores leftover week types
                    week_type=int(week_type) if two_weeks and week_type else None,
                    date_from=date_from or None,
                    date_to=date_to or None,
                )
            )
        return {key: (name, tz, tuple(pattern), company) for key, (name, tz, pattern, company) in patterns.items()}

    def _backward_work_calendars(self, keys, first_day, last_day, skip_invalid=False):
        """Working calendars of the scheduling core for ``keys`` over a horizon.

        ``keys`` are ``(calendar_id, resource_id or False)``: a work center's own time
        off counts on its calendar only; time off of no calendar (public holidays) on every
        calendar of its company, as Odoo counts it. The slots work orders book are not time
        off. One query (the leaves) when the patterns are cached. A calendar without working
        time in the horizon, or deleted, raises UserError; with ``skip_invalid`` it is left
        out of the result instead (the watch skips the steps that use it).
        """
        patterns = self._backward_patterns(tuple(sorted({calendar_id for calendar_id, _resource in keys})))
        resource_ids = [resource_id for _calendar_id, resource_id in keys if resource_id]
        self.env.cr.execute(
            SQL(
                """
                SELECT calendar_id, resource_id, company_id, date_from, date_to
                  FROM resource_calendar_leaves
                 WHERE (calendar_id = ANY(%(calendars)s) OR calendar_id IS NULL)
                   -- time off only: work orders book their own slots as 'other'
                   AND time_type = 'leave'
                   AND (resource_id IS NULL OR resource_id = ANY(%(resources)s))
                   AND date_from <= %(last)s AND date_to >= %(first)s
                """,
                calendars=list(patterns),
                resources=resource_ids,
                first=f"{first_day} 00:00:00",
                last=f"{last_day} 23:59:59",
            )
        )
        leaves_by_key = defaultdict(list)
        for calendar_id, resource_id, company_id, date_from, date_to in self.env.cr.fetchall():
            interval = (to_timestamp(date_from), to_timestamp(date_to))
            for key in keys:
                if key[0] not in patterns or (resource_id and key[1] != resource_id):
                    continue
                if key[0] == calendar_id or (not calendar_id and (not company_id or company_id == patterns[key[0]][3])):
                    leaves_by_key[key].append(interval)
        result = {}
        for key in keys:
            if key[0] not in patterns:
                if skip_invalid:
                    continue
                raise UserError(_("A working calendar of this plan was deleted: re-plan the order."))
            name, tz, pattern, _company = patterns[key[0]]
            intervals = weekly_intervals(pattern, tz, first_day, last_day, tuple(sorted(leaves_by_key.get(key, ()))))
            try:
                result[key] = WorkCalendar(intervals, name=name)
            except EmptyCalendarError as error:
                if skip_invalid:
                    continue
                raise UserError(
                    _(
                        "The working calendar “%(calendar)s” has no working time between %(start)s and "
                        "%(end)s, so no deadline can be planned on it. Give it attendances (Settings > "
                        "Technical > Working Schedules) or choose another calendar.",
                        calendar=name,
                        start=first_day,
                        end=last_day,
                    )
                ) from error
        return result


class ResourceCalendarAttendance(models.Model):
    """Working hours changed: the open plans on that calendar re-plan."""

    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "backward.cache.mixin"]

    def _backward_touch(self):
        calendars = self.calendar_id
        self.env["backward.replanner"]._touch(
            "calendar",
            calendars.ids,
            reason=_("the working hours of %(calendar)s changed", calendar=calendars[:1].name or ""),
        )

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        attendances._backward_touch()
        return attendances

    def write(self, vals):
        result = super().write(vals)
        self._backward_touch()
        return result

    def unlink(self):
        self._backward_touch()
        return super().unlink()


class ResourceCalendarLeaves(models.Model):
    """Time off added, moved or removed: the open plans that count on its calendar re-plan."""

    _inherit = "resource.calendar.leaves"

    def _backward_touch(self):
        replanner = self.env["backward.replanner"]
        for leave in self:
            if leave.time_type != "leave":
                continue  # work orders' own slots are load, not time off
            reason = _("time off “%(name)s” changed", name=leave.name or "")
            if leave.calendar_id or leave.resource_id:
                calendars = leave.calendar_id or leave.resource_id.calendar_id
                replanner._touch("calendar", calendars.ids, date_from=leave.date_from, reason=reason)
            else:  # a public holiday: every calendar of its company
                replanner._touch("company", [leave.company_id.id], date_from=leave.date_from, reason=reason)

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._backward_touch()
        return leaves

    def write(self, vals):
        self._backward_touch()  # where it was
        result = super().write(vals)
        self._backward_touch()  # where it is now
        return result

    def unlink(self):
        self._backward_touch()
        return super().unlink()
