from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import BackwardCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestReplanning(BackwardCase):
    def _production(self, order, product):
        return order.backward_deadline_ids.production_id.filtered(lambda mo: mo.product_id == product)

    def test_new_delivery_date_replans_and_tells_each_document(self):
        """Moving the delivery date moves every deadline and writes it in each document's chatter."""
        order = self._order()
        bike_mo = self._production(order, self.bike)
        before = bike_mo.backward_date_deadline
        order.with_user(self.salesperson).commitment_date = datetime(2026, 6, 26, 15, 0)
        self.assertEqual((bike_mo.backward_date_deadline - before).days, 7)
        message = bike_mo.message_ids[:1]
        self.assertIn("Backward plan changed", message.body)
        self.assertIn("delivery date changed", message.body)
        purchase = order.backward_deadline_ids.purchase_id[:1].sudo()
        self.assertIn("Backward plan changed", purchase.message_ids[:1].body)

    def test_replanning_keeps_the_baseline(self):
        """After agreement, a new date changes the deadlines but not the agreed baseline."""
        order = self._order()
        order.with_user(self.salesperson).action_backward_agree_sales()
        order.with_user(self.planner_user).action_backward_agree_production()
        order.with_user(self.buyer).action_backward_agree_purchase()
        self.assertEqual(order.backward_plan_state, "agreed")
        bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
        agreed = bike.date_deadline
        self.assertEqual(bike.date_deadline_baseline, agreed)
        order.commitment_date = datetime(2026, 6, 26, 15, 0)
        self.assertEqual(bike.date_deadline_baseline, agreed)
        self.assertNotEqual(bike.date_deadline, agreed)
        self.assertEqual(order.backward_plan_state, "proposed", "a changed plan must be agreed again")
        self.assertFalse(order.backward_sales_agreed_uid)

    def test_planning_twice_changes_nothing(self):
        """Re-planning an unchanged order writes no deadline and no message."""
        order = self._order()
        deadlines = order.backward_deadline_ids
        dates = deadlines.mapped("date_deadline")
        messages = self.env["mail.message"].search_count([])
        order.action_backward_plan()
        self.assertEqual(order.backward_deadline_ids, deadlines)
        self.assertEqual(deadlines.mapped("date_deadline"), dates)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)

    def test_cancelled_manufacturing_order_cancels_its_step_and_links(self):
        """A cancelled MO keeps its deadline, cancelled, and its links are cancelled too."""
        order = self._order()
        frame_mo = self._production(order, self.frame)
        deadline = frame_mo.backward_deadline_ids
        frame_mo.with_user(self.planner_user).action_cancel()
        self.assertEqual(deadline.state, "cancel")
        links = deadline.upstream_link_ids | deadline.downstream_link_ids
        self.assertTrue(links)
        self.assertEqual(set(links.mapped("state")), {"cancel"})
        self.assertTrue(deadline.exists(), "nothing is deleted")

    def test_cancelled_order_cancels_its_plan(self):
        """Cancelling the sale order cancels every step and link; nothing is deleted."""
        order = self._order()
        deadlines = order.backward_deadline_ids
        links = deadlines.downstream_link_ids
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(set(deadlines.mapped("state")), {"cancel"})
        self.assertEqual(set(links.exists().mapped("state")), {"cancel"})
        self.assertEqual(len(deadlines.exists()), 6)

    def test_line_added_after_confirmation_is_planned(self):
        """Spare wheels sold on a confirmed order: their purchase feeds the delivery at once."""
        order = self._order()
        delivery = order.backward_deadline_ids.filtered(lambda d: d.kind == "delivery")
        self.assertFalse(delivery.upstream_link_ids.filtered(lambda link: link.upstream_id.kind == "purchase"))
        order.write({"order_line": [Command.create({"product_id": self.wheel.id, "product_uom_qty": 4})]})
        feeding = delivery.upstream_link_ids.filtered(lambda link: link.upstream_id.kind == "purchase")
        self.assertEqual(feeding.upstream_id.product_id, self.wheel)
        self.assertEqual(feeding.state, "open")

    def test_backorder_gets_its_own_deadline(self):
        """A delivery split into a backorder: the backorder is a step with the same deadline."""
        order = self._order(quantity=2, product=self._stocked_bike())
        delivery = order.picking_ids.sudo()
        delivery.action_assign()
        delivery.move_ids.quantity = 1
        delivery.move_ids.picked = True
        Form.from_action(self.env, delivery.button_validate()).save().process()
        backorder = order.picking_ids - delivery
        self.assertTrue(backorder)
        step = order.backward_deadline_ids.filtered(lambda d: d.picking_id == backorder)
        self.assertEqual(step.kind, "delivery")
        self.assertEqual(delivery.backward_deadline_ids.state, "done")
        self.assertEqual(step.date_deadline, delivery.backward_deadline_ids.date_deadline)

    def _stocked_bike(self):
        """A bike taken from stock (no MTO), one on hand."""
        bike = self.env["product.product"].create({"name": "Stock bike", "type": "consu", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(bike, self.warehouse.lot_stock_id, 1)
        return bike

    def test_merged_requests_for_quotation(self):
        """Two RFQs for the wheels merged into one: the step follows its line into the kept order."""
        first = self._order()
        kept = first.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel).purchase_id.sudo()
        kept.user_id = self.planner_user  # another buyer: the next order gets its own RFQ
        second = self._order(commitment=datetime(2026, 6, 26, 15, 0))
        step = second.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        merged = step.purchase_id.sudo()
        self.assertNotEqual(kept, merged)
        (kept | merged).action_merge()
        self.assertEqual(merged.state, "cancel")
        self.assertEqual(step.purchase_id, kept)
        self.assertEqual(step.name, f"{kept.name}: Wheel")
        self.assertEqual(step.state, "planned")
        self.assertEqual(set(kept.backward_deadline_ids.sale_order_ids.ids), {first.id, second.id})
        self.assertFalse(merged.backward_deadline_ids, "nothing is planned on the cancelled request")
