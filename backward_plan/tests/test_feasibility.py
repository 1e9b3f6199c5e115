from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import BackwardCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestFeasibility(BackwardCase):
    def test_too_early_a_date_is_infeasible_by_how_much(self):
        """Promised for Wednesday, the chain can deliver next week: infeasible, earliest date shown."""
        order = self._order(commitment=datetime(2026, 6, 3, 15, 0))
        self.assertFalse(order.backward_is_feasible)
        self.assertGreater(order.backward_earliest_date, datetime(2026, 6, 3, 15, 0))
        hours = (order.backward_earliest_date - datetime(2026, 6, 3, 15, 0)).total_seconds() / 3600
        self.assertAlmostEqual(order.backward_lateness_hours, hours, places=1)
        past = order.backward_deadline_ids.filtered("is_start_past")
        self.assertIn("purchase", past.mapped("kind"), "the wheels should have been ordered already")

    def test_earliest_date_is_feasible_once_promised(self):
        """Promising the earliest delivery date shown makes the plan feasible."""
        order = self._order(commitment=datetime(2026, 6, 3, 15, 0))
        order.commitment_date = order.backward_earliest_date
        self.assertTrue(
            order.backward_is_feasible,
            order.backward_deadline_ids.filtered("is_start_past").mapped("name"),
        )
        self.assertEqual(order.backward_lateness_hours, 0)

    def test_delivery_date_in_the_past(self):
        """A date already past is planned, flagged infeasible, and gets an earliest date."""
        order = self._order(commitment=datetime(2026, 5, 20, 15, 0))
        self.assertFalse(order.backward_is_feasible)
        self.assertGreater(order.backward_earliest_date, datetime(2026, 6, 1, 7, 0))
        self.assertTrue(
            all(order.backward_deadline_ids.filtered(lambda d: d.kind == "purchase").mapped("is_start_past"))
        )

    def test_quotation_check_says_when_it_can_be_delivered(self):
        """A salesperson checks a quotation before confirming: feasible for the 19th."""
        quotation = self._order(confirm=False)
        action = quotation.with_user(self.salesperson).action_backward_check_feasibility()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(quotation.backward_is_feasible)
        self.assertFalse(quotation.backward_deadline_ids, "a quotation has no documents and no deadlines")

    def test_quotation_check_matches_the_confirmed_plan(self):
        """The simulated earliest date is the one the real documents give after confirmation."""
        quotation = self._order(commitment=datetime(2026, 6, 3, 15, 0), confirm=False)
        quotation.action_backward_check_feasibility()
        simulated = quotation.backward_earliest_date
        self.assertFalse(quotation.backward_is_feasible)
        quotation.action_confirm()
        self.assertEqual(quotation.backward_earliest_date, simulated)

    def test_quotation_too_early_is_a_warning(self):
        quotation = self._order(commitment=datetime(2026, 6, 2, 15, 0), confirm=False)
        action = quotation.with_user(self.salesperson).action_backward_check_feasibility()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("cannot be kept", action["params"]["message"])

    def test_made_to_order_without_bom_nor_vendor(self):
        """A made-to-order product with no way to get it: the check names the product."""
        orphan = self.env["product.product"].create(
            {
                "name": "Orphan",
                "type": "consu",
                "is_storable": True,
                "route_ids": [Command.set([self.mto.id, self.buy.id])],
            }
        )
        quotation = self._order(product=orphan, confirm=False)
        with self.assertRaisesText(UserError, "Orphan.*neither a bill of materials nor a vendor"):
            quotation.action_backward_check_feasibility()

    def test_bom_loop_is_reported(self):
        """A bill of materials that contains itself (forced past Odoo's check) is a clear error."""
        # Odoo refuses such a BoM in the form; a loop may still come from imported data
        line = self.frame_bom.bom_line_ids[:1]
        self.env.cr.execute("UPDATE mrp_bom_line SET product_id = %s WHERE id = %s", [self.bike.id, line.id])
        line.invalidate_recordset()
        quotation = self._order(confirm=False)
        with self.assertRaisesText(UserError, "contain themselves"):
            quotation.action_backward_check_feasibility()

    def test_quotation_without_goods(self):
        service = self.env["product.product"].create({"name": "Advice", "type": "service"})
        quotation = self._order(product=service, confirm=False)
        with self.assertRaisesText(UserError, "no goods to deliver"):
            quotation.action_backward_check_feasibility()

    def test_an_urgent_order_does_not_make_a_relaxed_one_infeasible(self):
        """Both share the purchases; only the order whose need is past is infeasible."""
        relaxed = self._order(commitment=datetime(2026, 6, 26, 15, 0))
        urgent = self._order(commitment=datetime(2026, 6, 3, 15, 0))
        relaxed.action_backward_plan()
        shared = relaxed.backward_deadline_ids & urgent.backward_deadline_ids
        self.assertTrue(shared.filtered("is_start_past"), "the shared purchases are late for the urgent order")
        self.assertFalse(urgent.backward_is_feasible)
        self.assertTrue(relaxed.backward_is_feasible)

    def _simulated_deadlines(self, quotation):
        """{(kind, product name): deadline} the quotation check computes."""
        result = self.env["backward.simulation"]._simulate_order(quotation)
        steps = result["chain"].steps
        return {
            (steps[key].kind, steps[key].name.split("] ")[-1]): deadline
            for key, deadline in result["deadlines"].items()
            if steps[key].kind in ("production", "purchase")
        }

    def _confirmed_deadlines(self, order):
        return {
            (deadline.kind, deadline.product_id.name): deadline.date_deadline
            for deadline in order.backward_deadline_ids
            if deadline.kind in ("production", "purchase")
        }

    def test_a_quotation_sold_by_the_dozen_is_checked_for_twelve(self):
        """A dozen bikes: 24 wheels, from the bulk price list (12 days), and 12 assemblies,
        in the check as in the confirmed plan."""
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.vendor.id,
                "product_tmpl_id": self.wheel.product_tmpl_id.id,
                "min_qty": 20,
                "price": 8,
                "delay": 12,
            }
        )
        quotation = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "commitment_date": datetime(2026, 7, 31, 15, 0),
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.bike.id,
                            "product_uom_qty": 1,
                            "product_uom": self.env.ref("uom.product_uom_dozen").id,
                        }
                    )
                ],
            }
        )
        simulated = self._simulated_deadlines(quotation)
        quotation.action_confirm()
        wheels = quotation.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertEqual(wheels.purchase_line_id.product_qty, 24)
        self.assertEqual(wheels.duration_hours, 12 * 24, "the bulk price list's lead time")
        self.assertEqual(simulated, self._confirmed_deadlines(quotation))

    def test_the_vendor_lead_time_is_the_order_company_s(self):
        """A shared product with a faster price list in another company: the plan uses this
        company's, as Odoo's purchase does, even when the user works in the other one."""
        other = self.env["res.company"].create({"name": "Elsewhere Wheels"})
        self.wheel.product_tmpl_id.company_id = False
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.vendor.id,
                "product_tmpl_id": self.wheel.product_tmpl_id.id,
                "price": 1,
                "delay": 1,
                "company_id": other.id,
            }
        )
        self.salesperson.company_ids |= other
        quotation = self._order(commitment=datetime(2026, 6, 26, 15, 0), confirm=False)
        in_other = quotation.with_user(self.salesperson).with_context(allowed_company_ids=[other.id, self.company.id])
        self.assertEqual(in_other.env.company, other)
        simulated = self._simulated_deadlines(in_other)
        in_other.action_confirm()
        wheels = quotation.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertEqual(wheels.purchase_line_id.order_id.company_id, self.company)
        self.assertEqual(wheels.duration_hours, 5 * 24, "this company's vendor lead time, not the other's")
        self.assertEqual(simulated, self._confirmed_deadlines(quotation))
