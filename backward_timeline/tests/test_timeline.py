"""The chain timeline's data, at the default settings, through Odoo's real flow.

The client only draws what ``backward.timeline.get_timeline`` returns: one row per step,
the arrows of the handovers, the critical path and the idle time of the calendar.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.backward_watch.tests.common import WatchDefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestTimeline(WatchDefaultsCase):
    """What the planner sees of one chain, from each of its documents, and of many orders."""

    def _timeline(self, documents, user=None, **filters):
        timeline = self.env["backward.timeline"].with_user(user or self.salesperson)
        if documents is None:
            return timeline.get_timeline(**filters)
        return timeline.get_timeline(documents._name, documents.ids, **filters)

    def _confirm_purchases(self, order):
        """The plan agreed, the RFQs ask for the receive-by: the buyer confirms them."""
        self._agree(order)
        purchases = order.sudo().backward_deadline_ids.purchase_id
        for purchase in purchases:
            purchase.with_user(self.buyer).button_confirm()
        return purchases

    def test_one_row_per_step_with_its_dates_and_arrows(self):
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            self._run_watch()
            data = self._timeline(order)
        steps = self._links(order).upstream_id | self._step(order, "customer")
        self.assertEqual({row["id"] for row in data["rows"]}, set(steps.ids))
        self.assertEqual(
            [row["level"] for row in data["rows"]],
            sorted((row["level"] for row in data["rows"]), reverse=True),
            "from the first purchase down to the customer",
        )
        self.assertEqual(
            {(arrow["from"], arrow["to"]) for arrow in data["links"]},
            {(link.upstream_id.id, link.downstream_id.id) for link in self._links(order)},
        )
        bike = self._step(order, "production", self.bike)
        row = next(row for row in data["rows"] if row["id"] == bike.id)
        self.assertEqual(row["deadline"], fields.Datetime.to_string(bike.date_deadline))
        self.assertEqual(row["start"], fields.Datetime.to_string(bike.date_start_deadline))
        self.assertEqual((row["res_model"], row["res_id"]), ("mrp.production", bike.production_id.id))
        need = bike.downstream_link_ids.filtered(lambda link: link.state != "cancel").date_need
        self.assertEqual(row["need"], fields.Datetime.to_string(need), "the slack runs to the downstream need")
        self.assertGreater(row["slack"], 0)
        self.assertFalse([row for row in data["rows"] if row["critical"]], "on plan, every step keeps its buffers")
        self.assertEqual({row["state"] for row in data["rows"]}, {"open"})
        # Saturday and Sunday are shaded: the company works Monday to Friday
        saturday = "2026-06-06 12:00:00"
        self.assertTrue(any(start <= saturday <= end for start, end in data["idle"]))
        monday_ten = "2026-06-08 08:00:00"
        self.assertFalse(any(start <= monday_ten < end for start, end in data["idle"]))

    def test_every_document_of_the_chain_shows_the_whole_chain(self):
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            purchases = self._confirm_purchases(order)
            whole = {row["id"] for row in self._timeline(order)["rows"]}
            bike = self._step(order, "production", self.bike).production_id
            receipt = purchases.picking_ids[:1]
            for document, user in ((bike, self.planner_user), (purchases[:1], self.buyer), (receipt, self.stock_user)):
                self.assertEqual({row["id"] for row in self._timeline(document, user)["rows"]}, whole, document.name)
            action = order.with_user(self.salesperson).action_view_backward_timeline()
            self.assertEqual(action["params"], {"res_model": "sale.order", "res_ids": order.ids})
            action = bike.with_user(self.planner_user).action_view_backward_timeline()
            self.assertEqual(action["tag"], "backward_timeline.chain_timeline")
            self.assertEqual(action["params"], {"res_model": "mrp.production", "res_ids": bike.ids})

    def test_a_purchase_that_eats_every_buffer_is_the_critical_path(self):
        """The wheels six days late: they, their receipt, the bike and the delivery have no
        slack left and neither has the promise; the frame's branch keeps its own."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            wheels = self._step(order, "purchase", self.wheel)
            wheels.purchase_line_id.date_planned += timedelta(days=6)
            self._run_watch()
            data = self._timeline(order)
        critical = {row["id"] for row in data["rows"] if row["critical"]}
        receipt = wheels.downstream_link_ids.filtered(lambda link: link.state != "cancel").downstream_id
        expected = wheels | receipt | self._step(order, "production", self.bike)
        expected |= self._step(order, "delivery") | self._step(order, "customer")
        self.assertEqual(critical, set(expected.ids))
        rows = {row["id"]: row for row in data["rows"]}
        self.assertEqual(rows[wheels.id]["slack"], 0)
        self.assertGreater(rows[self._step(order, "purchase", self.tube).id]["slack"], 0)
        self.assertEqual(rows[wheels.id]["state"], "at_risk")
        self.assertEqual(rows[self._step(order, "customer").id]["state"], "late")
        self.assertIn(rows[wheels.id]["expected"], (fields.Datetime.to_string(wheels.date_expected),))
        frame = self._step(order, "production", self.frame)
        self.assertNotIn(frame.id, critical)

    def test_a_re_planned_step_shows_its_agreed_dates(self):
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            for party in ("sales", "production", "purchase"):
                user = {"sales": self.salesperson, "production": self.planner_user, "purchase": self.buyer}[party]
                getattr(order.with_user(user), f"action_backward_agree_{party}")()
            self.assertEqual(order.backward_plan_state, "agreed")
            order.with_user(self.salesperson).commitment_date = PROMISE + timedelta(days=3)
            order.with_user(self.planner_user).action_backward_plan()
            rows = self._timeline(order)["rows"]
        moved = [row for row in rows if row["baseline_deadline"]]
        self.assertTrue(moved, "the agreed plan stays as a ghost")
        for row in moved:
            self.assertNotEqual(row["baseline_deadline"], row["deadline"])

    def test_the_many_orders_view_filters_by_state_and_owner(self):
        with freeze_time(T0):
            # the calm order's purchases are confirmed first: the slipping one gets its own
            calm = self._order(commitment=PROMISE)
            self._confirm_purchases(calm)
            slipping = self._order(commitment=PROMISE + timedelta(days=1))
            self._confirm_purchases(slipping)
            self.assertFalse(self._step(calm, "purchase") & self._step(slipping, "purchase"))
            wheels = self._step(slipping, "purchase", self.wheel)
            wheels.purchase_line_id.date_planned += timedelta(days=6)
            self._run_watch()
            everything = self._timeline(None)
            at_risk = self._timeline(None, states=["at_risk", "late"])
            buyer_rows = self._timeline(None, user_id=self.buyer.id)
            nobody = self._timeline(None, user_id=self.stock_user.id)
        self.assertEqual({row["order_id"] for row in everything["rows"]}, {calm.id, slipping.id})
        self.assertEqual({row["order_id"] for row in at_risk["rows"]}, {slipping.id})
        self.assertEqual({row["order_id"] for row in buyer_rows["rows"]}, {calm.id, slipping.id})
        self.assertIn([self.buyer.id, self.buyer.name], everything["owners"])
        self.assertEqual(nobody["rows"], [])

    def test_bad_requests_are_refused_clearly(self):
        """Tried: a model that is no document of a chain, an order without plan, an order
        of a user who cannot read it, a deleted order."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            quotation = self._order(commitment=PROMISE, confirm=False)
        timeline = self.env["backward.timeline"].with_user(self.salesperson)
        with self.assertRaisesText(UserError, "drawn from a sale order"):
            timeline.get_timeline("res.partner", [self.customer.id])
        with self.assertRaisesText(UserError, "no backward plan to show"):
            timeline.get_timeline("sale.order", quotation.ids)
        outsider = new_test_user(self.env, "bm_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["backward.timeline"].with_user(outsider).get_timeline("sale.order", order.ids)
        with self.assertRaisesText(UserError, "no backward plan to show"):
            timeline.get_timeline("sale.order", [order.id + 100000])

    def test_a_repromise_waiting_for_consent_is_on_its_bar(self):
        """The vendor moves the wheels past the slack: the wheels' bar says a re-promise waits."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            self._run_watch()
            wheels = self._step(order, "purchase", self.wheel)
            line = wheels.purchase_line_id
            line.with_user(self.buyer).date_planned = line.date_planned + timedelta(days=10)
            self._run_watch()
            self.assertTrue(wheels.downstream_link_ids.filtered("repromise_pending"), "past the slack: pending")
            rows = self._timeline(order)["rows"]
            pending = {row["id"] for row in rows if row["repromise_pending"]}
            self.assertEqual(pending, set(wheels.ids))
