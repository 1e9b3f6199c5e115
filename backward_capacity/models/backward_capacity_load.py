"""The load of each work center, day by day: planned hours against available hours.

Rows are computed when the report is opened (``action_open``), from the work orders'
slots and the work centers' working calendars, with the same core as the plan
(``scheduling.capacity.load_by_day``): no date arithmetic in SQL.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models
from odoo.tools import SQL

from odoo.addons.backward_plan.models.client_guards import require_superuser
from odoo.addons.backward_plan.scheduling import to_timestamp
from odoo.addons.backward_plan.scheduling.capacity import load_by_day

HORIZON_DAYS = 42


class BackwardCapacityLoad(models.Model):
    _name = "backward.capacity.load"
    _description = "Work Center Load"
    _order = "date, workcenter_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    workcenter_id = fields.Many2one("mrp.workcenter", string="Work Center", required=True, readonly=True)
    date = fields.Date(required=True, readonly=True)
    hours_available = fields.Float("Available Hours", readonly=True)
    hours_planned = fields.Float("Planned Hours", readonly=True)
    load_percent = fields.Float("Load (%)", readonly=True, aggregator="avg")
    overloaded = fields.Boolean(readonly=True, help="More hours planned than the work center has that day.")
    workorder_count = fields.Integer("Work Orders", readonly=True)

    @api.model
    def _refresh(self, companies, first_day=None, days=HORIZON_DAYS):
        """Compute the rows of ``companies`` from ``first_day`` (today) over ``days``, as
        superuser: the rows are the company's, whoever opens the report."""
        require_superuser(self)
        first_day = first_day or fields.Date.context_today(self)
        centers = self.env["mrp.workcenter"].search([("company_id", "in", companies.ids)])
        self.search([("company_id", "in", companies.ids)]).unlink()
        if not centers:
            return
        lead_time = self.env["backward.lead.time"]
        keys = {center.id: lead_time._workcenter_calendar(center, center.company_id) for center in centers}
        last_day = first_day + timedelta(days=days)
        calendars = self.env["resource.calendar"]._backward_work_calendars(
            set(keys.values()), first_day - timedelta(days=1), last_day + timedelta(days=1), skip_invalid=True
        )
        slots = self._slots(centers.ids, first_day, last_day)
        rows = []
        for center in centers:
            calendar = calendars.get(keys[center.id])
            if calendar is None:
                continue
            tz = pytz.timezone(center.resource_calendar_id.tz or center.company_id.resource_calendar_id.tz or "UTC")
            bounds = [self._day_bounds(tz, first_day + timedelta(days=offset)) for offset in range(days)]
            spans = [(start, finish) for start, finish in slots[center.id]]
            for (day_start, available, planned), offset in zip(
                load_by_day(calendar, 1, spans, bounds), range(days), strict=True
            ):
                day_end = bounds[offset][1]
                count = sum(1 for start, finish in spans if start < day_end and finish > day_start)
                if not available and not planned:
                    continue
                rows.append(
                    {
                        "company_id": center.company_id.id,
                        "workcenter_id": center.id,
                        "date": first_day + timedelta(days=offset),
                        "hours_available": available / 3600,
                        "hours_planned": planned / 3600,
                        "load_percent": 100.0 * planned / available if available else 100.0,
                        "overloaded": planned > available,
                        "workorder_count": count,
                    }
                )
        self.create(rows)

    @staticmethod
    def _day_bounds(tz, day):
        start = tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc)
        end = tz.localize(datetime.combine(day + timedelta(days=1), time.min)).astimezone(pytz.utc)
        return to_timestamp(start), to_timestamp(end)

    def _slots(self, center_ids, first_day, last_day):
        """{work center id: [(start, finish)]} of the work orders not done, in one query."""
        self.env["mrp.workorder"].flush_model(["workcenter_id", "date_start", "date_finished", "state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT workcenter_id, date_start, date_finished
                  FROM mrp_workorder
                 WHERE workcenter_id = ANY(%(centers)s)
                   AND date_start IS NOT NULL AND date_finished IS NOT NULL
                   AND state NOT IN ('done', 'cancel')
                   AND date_start <= %(last)s AND date_finished >= %(first)s
                """,
                centers=center_ids,
                first=datetime.combine(first_day - timedelta(days=1), time.min),
                last=datetime.combine(last_day + timedelta(days=1), time.min),
            )
        )
        result = defaultdict(list)
        for center_id, start, finish in self.env.cr.fetchall():
            result[center_id].append((to_timestamp(start), to_timestamp(finish)))
        return result

    @api.model
    def action_open(self):
        """The report, computed afresh for the companies the user works in."""
        self.check_access("read")
        # sudo: the rows are rebuilt for readers, who may neither create them nor read every work center
        self.sudo()._refresh(self.env.companies)
        return {
            "type": "ir.actions.act_window",
            "name": _("Work Center Load"),
            "res_model": self._name,
            "view_mode": "pivot,graph,list",
            "context": {"search_default_overloaded_or_busy": 1},
            "domain": [("company_id", "in", self.env.companies.ids)],
        }
