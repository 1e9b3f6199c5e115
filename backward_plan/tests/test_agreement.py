from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import BackwardCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestAgreement(BackwardCase):
    def test_all_three_parties_fix_the_baseline(self):
        """Sales, production and purchasing agree in turn; the last one fixes the baseline."""
        order = self._order()
        order.with_user(self.salesperson).action_backward_agree_sales()
        order.with_user(self.planner_user).action_backward_agree_production()
        self.assertEqual(order.backward_plan_state, "proposed")
        self.assertFalse(any(order.backward_deadline_ids.mapped("date_deadline_baseline")))
        order.with_user(self.buyer).action_backward_agree_purchase()
        self.assertEqual(order.backward_plan_state, "agreed")
        for deadline in order.backward_deadline_ids:
            self.assertEqual(deadline.date_deadline_baseline, deadline.date_deadline)
        links = order.backward_deadline_ids.downstream_link_ids
        self.assertEqual(links.mapped("date_deadline_baseline"), links.mapped("date_deadline"))
        self.assertEqual(order.backward_purchase_agreed_uid, self.buyer)

    def test_agreements_are_told_in_the_chatter(self):
        """Each agreement is a message on the order, written in the agreeing user's name."""
        order = self._order()
        order.with_user(self.planner_user).action_backward_agree_production()
        message = order.message_ids[:1]
        self.assertIn("Production agreed the backward plan", message.body)
        self.assertEqual(message.author_id, self.planner_user.partner_id)

    def test_only_the_party_may_agree_its_part(self):
        """A salesperson cannot agree for production, nor a buyer for sales."""
        order = self._order()
        with self.assertRaises(AccessError):
            order.with_user(self.salesperson).action_backward_agree_production()
        with self.assertRaises(AccessError):
            order.with_user(self.buyer).action_backward_agree_sales()
        self.assertFalse(order.backward_production_agreed_uid)

    def test_agreeing_twice_is_refused(self):
        """A second agreement of the same part is a clear error, the first one is kept."""
        order = self._order()
        order.with_user(self.salesperson).action_backward_agree_sales()
        with self.assertRaisesText(UserError, "already agreed"):
            order.with_user(self.salesperson).action_backward_agree_sales()

    def test_an_unplanned_order_cannot_be_agreed(self):
        """A quotation has no plan to agree."""
        quotation = self._order(confirm=False)
        with self.assertRaisesText(UserError, "not waiting for agreement"):
            quotation.with_user(self.salesperson).action_backward_agree_sales()

    def test_parties_without_steps_are_not_asked(self):
        """An order taken from stock only needs sales to agree."""
        bike = self.env["product.product"].create({"name": "Stock bike", "type": "consu", "is_storable": True})
        order = self._order(product=bike)
        self.assertEqual(order._backward_parties_needed(), ["sales"])
        with self.assertRaisesText(UserError, "no Production step"):
            order.with_user(self.planner_user).action_backward_agree_production()
        order.with_user(self.salesperson).action_backward_agree_sales()
        self.assertEqual(order.backward_plan_state, "agreed")

    def test_purchasing_agrees_from_its_purchase_order(self):
        """A buyer, who cannot read sale orders, agrees from the purchase order."""
        order = self._order()
        purchase = order.sudo().backward_deadline_ids.purchase_id[:1]
        purchase.with_user(self.buyer).action_backward_agree_plan()
        self.assertEqual(order.backward_purchase_agreed_uid, self.buyer)

    def test_production_agrees_from_its_manufacturing_order(self):
        order = self._order()
        production = order.sudo().backward_deadline_ids.production_id[:1]
        production.with_user(self.planner_user).action_backward_agree_plan()
        self.assertEqual(order.backward_production_agreed_uid, self.planner_user)

    def test_portal_user_cannot_agree(self):
        portal = new_test_user(self.env, "bm_portal", groups="base.group_portal")
        order = self._order()
        with self.assertRaises(AccessError):
            order.with_user(portal).action_backward_agree_sales()

    def test_a_user_of_another_company_cannot_agree(self):
        """A planner working only for another company cannot agree this company's plan."""
        other = self.env["res.company"].create({"name": "Elsewhere Frames"})
        outsider = new_test_user(
            self.env,
            "bm_outsider_planner",
            groups="mrp.group_mrp_user,backward_plan.backward_management_group_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        order = self._order()
        with self.assertRaisesText(AccessError, "company you do not work for"):
            order.with_user(outsider).action_backward_agree_production()
        self.assertFalse(order.backward_production_agreed_uid)
        self.assertEqual(order.backward_plan_state, "proposed")
