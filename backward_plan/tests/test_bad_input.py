from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import BackwardCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestBadInput(BackwardCase):
    """Each bad input gets a clear message and loses nothing."""

    def test_order_without_any_date(self):
        """No delivery date and no expected date: re-planning names the order and the fix."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"name": "Terms", "display_type": "line_note"})],
            }
        )
        order.action_confirm()
        self.assertFalse(order.expected_date)
        with self.assertRaisesText(UserError, f"{order.name} has neither a delivery date nor an expected date"):
            order.action_backward_plan()
        self.assertIn("neither a delivery date", order.backward_plan_warning)
        self.assertEqual(order.state, "sale", "the confirmation itself went through")

    def test_one_order_that_cannot_be_planned_does_not_hold_back_the_others(self):
        """Orders re-planned together (a purchase confirmed, the capacity re-plan): one
        without any date fails the group; each is then re-planned alone, it is told why."""
        good = self._order()
        bad = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"name": "Terms", "display_type": "line_note"})],
            }
        )
        bad.action_confirm()
        wheel = good.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        order_by = wheel.date_start_deadline
        self.wheel.seller_ids.delay = 7
        # as its callers run it: a scheduled action, a confirmation's flow (superuser)
        replanner = self.env["backward.replanner"].sudo()
        replanner._replan_group((good | bad).with_env(replanner.env), "vendor lead time changed")
        self.assertLess(wheel.date_start_deadline, order_by, "the good order was re-planned: ordered earlier")
        self.assertFalse(good.backward_plan_warning)
        self.assertIn("neither a delivery date", bad.backward_plan_warning)

    def test_replanning_a_quotation_is_refused(self):
        quotation = self._order(confirm=False)
        with self.assertRaisesText(UserError, "confirm the order first"):
            quotation.action_backward_plan()

    def test_zero_lead_time_orders_when_it_must_arrive(self):
        """A vendor who delivers at once: order-by and receive-by coincide."""
        self.wheel.seller_ids.delay = 0
        order = self._order()
        wheel = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertEqual(wheel.date_start_deadline, wheel.date_deadline)
        self.assertEqual(wheel.duration_hours, 0)

    def test_negative_lead_time_is_refused(self):
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            self.wheel.seller_ids.delay = -2
        self.env.invalidate_all()  # what a user sees after the refused save
        self.assertEqual(self.wheel.seller_ids.delay, 5)

    def test_negative_or_absurd_buffers_are_refused(self):
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            self.company.backward_buffer_purchase_hours = -1
        self.env.invalidate_all()
        with self.assertRaisesText(ValidationError, "at most 500"):
            self.company.backward_buffer_production_percent = 900
        self.env.invalidate_all()
        self.assertEqual(self.company.backward_buffer_purchase_hours, 8)
        self.assertEqual(self.company.backward_buffer_production_percent, 0)

    def test_settings_form_refuses_a_negative_buffer(self):
        """The same check through the Settings screen."""
        with self.assertRaises(ValidationError), Form(self.env["res.config.settings"]) as settings:
            settings.backward_buffer_delivery_hours = -4

    def test_calendar_without_working_time(self):
        """A work center whose calendar has no attendance: the order says which calendar."""
        self.welding.resource_calendar_id = self.env["resource.calendar"].create(
            {"name": "Never open", "attendance_ids": [Command.clear()], "tz": "Europe/Brussels"}
        )
        order = self._order()
        self.assertEqual(order.state, "sale", "confirming is not blocked")
        self.assertIn("Never open", order.backward_plan_warning)
        self.assertIn("Never open", order.message_ids[:1].body)
        with self.assertRaisesText(UserError, "“Never open” has no working time"):
            order.action_backward_plan()

    def test_company_without_calendar(self):
        order = self._order()
        self.company.resource_calendar_id = False
        with self.assertRaisesText(UserError, "has no working calendar"):
            order.action_backward_plan()
        self.assertTrue(order.backward_deadline_ids, "the last plan is kept")

    def test_vendor_without_price_list_is_planned_with_a_warning(self):
        """A purchase line whose vendor has no price list entry is planned, and says so."""
        order = self._order()
        purchase = order.sudo().backward_deadline_ids.purchase_id[:1]
        purchase.partner_id = self.env["res.partner"].create({"name": "Other vendor"})
        order.action_backward_plan()
        lines = order.backward_deadline_ids.filtered(lambda d: d.purchase_id == purchase)
        self.assertTrue(all("No vendor price list" in line.warning for line in lines))

    def test_delivery_date_in_the_past_is_flagged(self):
        """A past delivery date is accepted, planned and shown infeasible (not lost)."""
        order = self._order(commitment=datetime(2026, 5, 1, 10, 0))
        self.assertEqual(order.commitment_date, datetime(2026, 5, 1, 10, 0))
        self.assertFalse(order.backward_is_feasible)
        self.assertTrue(order.backward_earliest_date)
