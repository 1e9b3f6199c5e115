"""Every change re-plans what it touches, and nothing else, without making anyone wait.

A public holiday, working hours, a vendor's lead time, an operation's duration: saving the
change only marks the open orders that count on it; the scheduled action re-plans them in
chunks and tells the salesperson of an order whose promise it now endangers.
"""

from datetime import datetime, time, timedelta

import pytz
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
BRUSSELS = pytz.timezone("Europe/Brussels")


@tagged("post_install", "-at_install")
class TestReplanOnChange(DefaultsCase):
    def _dates(self, order):
        return {step.id: step.date_deadline for step in order.sudo().backward_deadline_ids}

    def _holiday(self, moment, user=None):
        day = pytz.utc.localize(moment).astimezone(BRUSSELS).date()
        start = BRUSSELS.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        leaves = self.env["resource.calendar.leaves"].with_company(self.company)
        if user:
            leaves = leaves.with_user(user)
        return leaves.create({"name": "Holiday", "date_from": start, "date_to": start + timedelta(days=1)})

    def _saver(self, login):
        """An administrator who keeps the company's public holidays and reads Odoo's inbox."""
        return new_test_user(self.env, login, groups="base.group_system,base.group_user", notification_type="inbox")

    def _inbox(self, user, batches):
        """The messages about ``batches`` in the inbox of ``user``."""
        return (
            self.env["mail.notification"]
            .sudo()
            .search(
                [
                    ("res_partner_id", "=", user.partner_id.id),
                    ("notification_type", "=", "inbox"),
                    ("mail_message_id.model", "=", "backward.replan.batch"),
                    ("mail_message_id.res_id", "in", batches.ids),
                ]
            )
            .mail_message_id
        )

    def _replan(self):
        replanner = self.env["backward.replanner"]
        for _chunk in range(20):
            if not replanner._cron_backward_replan():
                break

    def test_a_holiday_re_plans_exactly_the_orders_that_cross_it(self):
        with freeze_time(T0):
            early = self._order(commitment=datetime(2026, 6, 12, 15, 0))
            late = self._order(commitment=datetime(2026, 7, 31, 15, 0))
            early_dates, late_dates = self._dates(early), self._dates(late)
            frame = self._step(late, "production", self.frame)
            # saved by the administrator who keeps the company's public holidays
            admin = new_test_user(self.env, "bm_holiday_admin", groups="base.group_system,base.group_user")
            self._holiday(frame.date_deadline, user=admin)
            self.assertTrue(late.backward_replan_reason, "the order crossing the holiday is marked")
            self.assertIn("Holiday", late.backward_replan_reason)
            self.assertFalse(early.backward_replan_reason, "the one before it is not")
            self.assertEqual(self._dates(late), late_dates, "saving the holiday re-plans nothing yet")
            self._replan()
            self.assertNotEqual(self._dates(late), late_dates, "re-planned around the holiday")
            self.assertLess(frame.date_deadline, late_dates[frame.id])
            self.assertEqual(self._dates(early), early_dates)
            self.assertFalse(late.backward_replan_reason)
            # who saved it hears how it ended
            batch = self.env["backward.replan.batch"].search([("user_id", "=", admin.id)])
            self.assertEqual(len(batch), 1)
            self.assertEqual(
                (batch.state, batch.order_count, batch.done_count, batch.moved_count, batch.endangered_count),
                ("done", 1, 1, 1, 0),
            )
            # a notification to the person: only they (and the superuser) read it
            told = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        ("model", "=", batch._name),
                        ("res_id", "=", batch.id),
                        ("partner_ids", "in", admin.partner_id.ids),
                    ]
                )
            )
            self.assertEqual(len(told), 1)
            self.assertIn("1 moved", told.body)
            self.assertIn("Every promise can still be kept", told.body)
            # the record is the scheduled action's: nobody edits its figures
            with self.assertRaises(AccessError):
                batch.with_user(admin).write({"moved_count": 0})

    def test_work_order_slots_are_not_time_off(self):
        with freeze_time(T0):
            order = self._order(commitment=datetime(2026, 6, 26, 15, 0))
            bike = self._step(order, "production", self.bike)
            self.env["resource.calendar.leaves"].create(
                {
                    "name": "Booked",
                    "calendar_id": self.shifts.id,
                    "date_from": bike.date_start_deadline,
                    "date_to": bike.date_deadline,
                    "time_type": "other",
                }
            )
            self.assertFalse(order.backward_replan_reason, "booked work is load, not time off")

    def test_working_hours_changed_re_plan_the_orders_on_that_calendar(self):
        with freeze_time(T0):
            order = self._order(commitment=datetime(2026, 6, 26, 15, 0))
            before = self._dates(order)
            friday = self.shifts.attendance_ids.filtered(lambda attendance: attendance.dayofweek == "4")
            self.assertTrue(friday)
            friday.unlink()
            self.assertTrue(order.backward_replan_reason)
            self._replan()
            self.assertNotEqual(self._dates(order), before)

    def test_a_slower_vendor_or_operation_re_plans_what_uses_it(self):
        with freeze_time(T0):
            order = self._order(commitment=datetime(2026, 6, 26, 15, 0))
            wheels = self._step(order, "purchase", self.wheel)
            start = wheels.date_start_deadline
            self.wheel.seller_ids.write({"delay": self.wheel.seller_ids[:1].delay + 3})
            self.assertIn("vendor lead time", order.backward_replan_reason)
            self._replan()
            self.assertLess(wheels.date_start_deadline, start, "ordered earlier")
            bike = self._step(order, "production", self.bike)
            start = bike.date_start_deadline
            self.bike_bom.operation_ids.write({"time_cycle_manual": 600})
            self.assertIn("bill of materials", order.backward_replan_reason)
            self._replan()
            self.assertFalse(order.backward_replan_reason)
            # its manufacturing order already exists: its own work orders count, not the BoM's
            self.assertEqual(bike.date_start_deadline, start)

    def test_a_change_that_breaks_a_promise_tells_the_salesperson(self):
        last_batch = self.env["backward.replan.batch"].search([], order="id desc", limit=1).id or 0
        with freeze_time(T0):
            order = self._order(commitment=datetime(2026, 6, 19, 15, 0))
            self.assertTrue(order.backward_is_feasible)
            spare = order.commitment_date - order.backward_earliest_date
            # closed from tomorrow for longer than the order's spare time: it cannot fit any more
            for day in range(1, spare.days + 8):
                self._holiday(T0 + timedelta(days=day))
            self.assertTrue(order.backward_replan_reason, "marked")
            earliest = order.backward_earliest_date
            self._replan()
            self.assertFalse(order.backward_is_feasible)
            self.assertGreater(order.backward_earliest_date, earliest)
            told = order.message_ids.filtered(lambda message: "can no longer be kept" in (message.body or ""))
            self.assertEqual(len(told), 1)
            self.assertIn(self.salesperson.partner_id, told.partner_ids)
            # an internal note: the customer, who follows the order, is not sent it
            self.assertTrue(told.is_internal or told.subtype_id.internal)
            self.assertFalse(
                self.env["mail.notification"].search(
                    [("mail_message_id", "=", told.id), ("res_partner_id", "=", order.partner_id.id)]
                )
            )
            # the record of each change it waited for names the broken promise
            batches = self.env["backward.replan.batch"].search([("endangered_order_ids", "in", order.ids)])
            self.assertGreater(len(batches), 1)
            self.assertEqual(batches, self.env["backward.replan.batch"].search([("id", ">", last_batch)]))
            self.assertEqual(set(batches.mapped("state")), {"done"})

    def test_a_change_that_moves_only_start_dates_counts_its_orders_as_moved(self):
        """A holiday in a step's window moves its start-by, not its deadline: the order moved."""
        stool = self.env["product.product"].create(
            {
                "name": "Stool",
                "type": "consu",
                "is_storable": True,
                "route_ids": [Command.set([self.mto.id, self.manufacture.id])],
            }
        )
        # made to order from nothing bought: the step's deadline hangs on the delivery alone
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": stool.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create({"name": "Assemble", "workcenter_id": self.assembly.id, "time_cycle_manual": 60})
                ],
            }
        )
        saver = self._saver("bm_holiday_start")
        with freeze_time(T0):
            order = self._order(stool, quantity=20, commitment=datetime(2026, 6, 26, 15, 0))
            step = self._step(order, "production", stool)
            deadlines = {d.id: d.date_deadline for d in order.sudo().backward_deadline_ids}
            start = step.date_start_deadline
            self._holiday(start, user=saver)
            self._replan()
            self.assertEqual(
                {d.id: d.date_deadline for d in order.sudo().backward_deadline_ids}, deadlines, "no deadline moved"
            )
            self.assertLess(step.date_start_deadline, start, "it starts before the holiday")
        batch = self.env["backward.replan.batch"].search([("user_id", "=", saver.id)])
        self.assertEqual((batch.done_count, batch.moved_count), (1, 1))
        self.assertIn("1 moved", self._inbox(saver, batch).body)

    def test_every_change_is_reported_to_its_author_even_on_orders_still_waiting(self):
        """Two holidays saved before the re-plan runs: two reports, the order counted in both,
        each author told."""
        first_saver, second_saver = self._saver("bm_holiday_first"), self._saver("bm_holiday_second")
        with freeze_time(T0):
            order = self._order(commitment=datetime(2026, 7, 31, 15, 0))
            frame = self._step(order, "production", self.frame)
            bike = self._step(order, "production", self.bike)
            self._holiday(frame.date_deadline, user=first_saver)
            self._holiday(bike.date_deadline, user=second_saver)
            self._replan()
        batches = self.env["backward.replan.batch"].search([("user_id", "in", (first_saver | second_saver).ids)])
        self.assertEqual(batches.user_id, first_saver | second_saver, "each change listed with its author")
        for batch in batches:
            self.assertEqual(
                (batch.state, batch.order_count, batch.done_count, batch.moved_count), ("done", 1, 1, 1), batch.name
            )
            told = self._inbox(batch.user_id, batch)
            self.assertEqual(len(told), 1, batch.user_id.login)
            self.assertIn("1 moved", told.body)
