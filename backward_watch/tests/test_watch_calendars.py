"""The calendars and the readers of the watch, at the default settings.

Public holidays (time off of no calendar) are not worked, by the plan nor by the watch;
work orders' own slots are not time off; a calendar emptied or deleted after planning does
not stop the watch; each owner reads an alert in their own timezone, whoever runs it; a
projection that fails for one order does not hold back the others.
"""

from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytz
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WatchDefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00
AT_RISK = "backward_watch.mail_activity_type_handover_at_risk"
BRUSSELS = pytz.timezone("Europe/Brussels")


def _local_day(moment):
    """(start, end) in UTC of the Brussels day of ``moment`` (UTC)."""
    day = pytz.utc.localize(moment).astimezone(BRUSSELS).date()
    start = BRUSSELS.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
    return start, start + timedelta(days=1)


@tagged("post_install", "-at_install")
class TestWatchCalendars(WatchDefaultsCase):
    """Holidays, work-order slots and broken calendars, as the plan and the watch read them."""

    def _plan(self, order):
        return {
            step.id: (step.date_start_deadline, step.date_deadline)
            for step in order.sudo().backward_deadline_ids
            if step.state != "cancel"
        }

    def _confirm_purchases(self, order):
        for purchase in order.sudo().backward_deadline_ids.purchase_id:
            purchase.with_user(self.buyer).button_confirm()

    def _leave(self, moment, company=None, **vals):
        start, end = _local_day(moment)
        return (
            self.env["resource.calendar.leaves"]
            .with_company(company or self.company)
            .create(dict({"name": "Closed", "date_from": start, "date_to": end, "calendar_id": False}, **vals))
        )

    def test_a_public_holiday_is_not_worked(self):
        """A holiday of the company (no calendar) on the frame's welding day moves it earlier;
        the delivery still holds, and the watch raises no alarm over the holiday."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            frame = self._step(order, "production", self.frame)
            before = self._plan(order)
            holiday_start, holiday_end = _local_day(frame.date_deadline)
            self._leave(frame.date_deadline, time_type="leave")
            order.with_user(self.planner_user).action_backward_plan()
            after = self._plan(order)
            self.assertLess(frame.date_deadline, before[frame.id][1], "the frame is welded before the holiday")
            self.assertFalse(
                frame.date_start_deadline < holiday_end and frame.date_deadline > holiday_start,
                f"the frame is welded from {frame.date_start_deadline} to {frame.date_deadline}: not on the holiday",
            )
            customer = self._step(order, "customer")
            self.assertEqual(after[customer.id], before[customer.id], "the promise does not move")
            for step_id, (_start, deadline) in after.items():
                self.assertLessEqual(deadline, before[step_id][1], "no step is planned later for a day off")
            self._run_watch()
            self.assertFalse(
                self._links(order).filtered(lambda link: link.state not in ("open", "done")),
                "planned around the holiday, nothing is at risk",
            )

    def test_work_orders_planned_in_odoo_do_not_move_another_plan(self):
        """The planner presses Odoo's "Plan" on one order's bike: Odoo books the assembly
        line for its work orders; the next order's plan on that line does not move (booked
        work is load, not time off)."""
        with freeze_time(T0):
            other = self._order(commitment=PROMISE)
            before = self._plan(other)
            order = self._order(commitment=PROMISE)
            step = self._step(order, "production", self.bike)
            bike = step.production_id.with_user(self.planner_user)
            # the planner schedules it at the plan's start-by
            bike.date_start = step.date_start_deadline
            bike.button_plan()
            self.assertTrue(bike.workorder_ids.leave_id, "Odoo booked the work orders' slots")
            self.assertEqual(set(bike.workorder_ids.leave_id.mapped("time_type")), {"other"})
            booked = bike.workorder_ids.leave_id
            other_bike = self._step(other, "production", self.bike)
            self.assertTrue(
                any(
                    leave.date_from < other_bike.date_deadline and leave.date_to > other_bike.date_start_deadline
                    for leave in booked
                ),
                "the booking falls in the other order's window",
            )
            other.with_user(self.planner_user).action_backward_plan()
            self.assertEqual(self._plan(other), before)

    def test_work_order_slots_and_other_companies_holidays_are_not_time_off(self):
        """Odoo books work orders as time off of type 'other', and another company has its
        own holidays: neither moves this plan."""
        other = self.env["res.company"].create({"name": "Elsewhere Frames"})
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            frame = self._step(order, "production", self.frame)
            before = self._plan(order)
            self._leave(frame.date_deadline, time_type="other")
            # Odoo gives a leave of no calendar the company it is created in
            elsewhere = self._leave(frame.date_deadline, time_type="leave", company=other)
            self.assertEqual(elsewhere.company_id, other)
            self._leave(frame.date_deadline, calendar_id=self.shifts.id, time_type="other")
            order.with_user(self.planner_user).action_backward_plan()
            self.assertEqual(self._plan(order), before)

    def test_an_emptied_calendar_does_not_stop_the_watch(self):
        """The assembly calendar loses its working time after planning: the watch skips the
        steps planned on it and still judges the others; re-planning says why it cannot."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            self._run_watch()
            bike = self._step(order, "production", self.bike)
            planned = self._plan(order)
            self.shifts.attendance_ids.unlink()
            wheels = self._step(order, "purchase", self.wheel)
            wheels.purchase_line_id.date_planned += timedelta(days=6)
            with self.assertLogs("odoo.addons.backward_watch.models.backward_watch", level="WARNING") as logs:
                self._run_watch()
            self.assertIn("no working time or were deleted", "\n".join(logs.output))
            wheel_link = wheels.downstream_link_ids.filtered(lambda link: link.state != "cancel")
            self.assertEqual(wheel_link.state, "at_risk", "the wheels are still watched")
            with self.assertRaisesText(UserError, "no working time"):
                order.with_user(self.planner_user).action_backward_plan()
            self.assertEqual(self._plan(order), planned, "the refused re-plan loses nothing")
            self.assertEqual(bike.state, "planned")

    def test_a_deleted_calendar_is_skipped_until_re_planned(self):
        """Assembly moves to the office calendar and the shift calendar is deleted: the watch
        skips what was planned on it; a re-plan plans it on the office calendar."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._run_watch()
            self.assembly.resource_calendar_id = self.office
            shifts = self.shifts.id
            self.shifts.unlink()
            with self.assertLogs("odoo.addons.backward_watch.models.backward_watch", level="WARNING"):
                self._run_watch()
            order.with_user(self.planner_user).action_backward_plan()
            bike = self._step(order, "production", self.bike)
            self.assertNotIn(str(shifts), bike.segments or "", "re-planned on the office calendar")
            self._run_watch()
            self.assertFalse(self._links(order).filtered(lambda link: link.state not in ("open", "done")))

    def test_each_owner_reads_the_alert_in_their_timezone(self):
        """The watch runs as the scheduler; the buyer in New York reads New York times."""
        self.env.user.tz = "Europe/Brussels"
        self.buyer.tz = "America/New_York"
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            purchase = order.sudo().backward_deadline_ids.purchase_id.filtered(
                lambda po: self.wheel in po.order_line.product_id
            )
            purchase.with_user(self.buyer).button_confirm()
            self._run_watch()
            line = purchase.order_line.filtered(lambda line: line.product_id == self.wheel)
            line.date_planned += timedelta(days=6)
            self._run_watch()
            link = self._step(order, "purchase", self.wheel).downstream_link_ids.filtered(
                lambda link: link.state != "cancel"
            )
            self.assertEqual(link.state, "at_risk")
            activity = link.activity_id
            self.assertEqual(activity.user_id, self.buyer)
            notifier = self.env["backward.notifier"]
            in_new_york = notifier._reader(self.buyer)._format(link.date_deadline)
            in_brussels = notifier.with_context(tz="Europe/Brussels")._format(link.date_deadline)
            self.assertNotEqual(in_new_york, in_brussels)
            self.assertIn(in_new_york, activity.note)
            self.assertNotIn(in_brussels, activity.note)
            local_deadline = pytz.utc.localize(link.date_deadline).astimezone(pytz.timezone("America/New_York"))
            self.assertEqual(activity.date_deadline, local_deadline.date())

    def test_one_order_failing_its_projection_does_not_hold_back_the_others(self):
        """Projected as one batch; when one order breaks it, the others are projected one by one."""
        with freeze_time(T0):
            # each order's purchases confirmed before the next: Odoo does not merge them
            first = self._order(commitment=PROMISE)
            self._confirm_purchases(first)
            second = self._order(commitment=PROMISE + timedelta(days=7))
            self._confirm_purchases(second)
            self._run_watch()
            for order in first | second:
                self._step(order, "purchase", self.wheel).purchase_line_id.date_planned += timedelta(days=20)
            projection = type(self.env["backward.projection"])
            original = projection._project_sale_orders

            def failing(model, orders):
                if first in orders:
                    raise ValueError("a broken order")
                return original(model, orders)

            with (
                patch.object(projection, "_project_sale_orders", failing),
                self.assertLogs("odoo.addons.backward_watch.models.backward_watch", level="ERROR"),
            ):
                self._run_watch()
            self.assertTrue(second.backward_projected_late, "the other order is projected")
            self.assertFalse(second.backward_projection_pending)
            self.assertFalse(first.backward_projection_pending, "the broken one is not retried in a loop")
