from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.backward_plan.tests.factory import create_factory


@tagged("post_install", "-at_install")
class TestReviewTour(HttpCase):
    """A late handover reviewed in a real browser, from the MO to the ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.factory = create_factory(env)
        cls.factory.company.backward_review_auto = False
        env.ref("backward_review.penalty_policy_purchase").warning_first_offence = False
        cls.production = new_test_user(
            env,
            "bm_tour_production",
            groups="mrp.group_mrp_user,stock.group_stock_user,backward_plan.backward_management_group_user",
        )
        cls.buyer = new_test_user(
            env,
            "bm_tour_buyer",
            groups="purchase.group_purchase_user,backward_plan.backward_management_group_user",
        )
        cls.manager = new_test_user(
            env,
            "bm_tour_manager",
            groups="mrp.group_mrp_user,purchase.group_purchase_user,backward_plan.backward_management_group_manager",
        )
        cls.factory.vendor.buyer_id = cls.buyer
        # promised for tomorrow: every upstream deadline is already past, the wheels are late
        order = env["sale.order"].create(
            {
                "partner_id": cls.factory.customer.id,
                "commitment_date": fields.Datetime.now() + timedelta(days=1),
                "order_line": [(0, 0, {"product_id": cls.factory.bike.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        cls.bike_mo = order.backward_deadline_ids.filtered(lambda d: d.product_id == cls.factory.bike).production_id
        cls.bike_mo.user_id = cls.production
        order.action_backward_plan()
        env["backward.watch"]._cron_backward_watch()
        env["backward.watch"]._cron_backward_tell()
        cls.wheels = cls.bike_mo.backward_deadline_ids.upstream_link_ids.filtered(
            lambda link: link.upstream_id.product_id == cls.factory.wheel
        )

    def test_review_from_the_mo_to_the_ledger(self):
        """Production files the review from its MO; the buyer acknowledges it; a manager upholds it."""
        self.assertEqual(self.wheels.state, "late")
        self.start_tour(
            f"/odoo/action-mrp.mrp_production_action/{self.bike_mo.id}",
            "backward_management_review_file_tour",
            login="bm_tour_production",
        )
        review = self.wheels.review_ids
        self.assertEqual(review.state, "submitted")
        self.assertIn("half a shift", review.statement)
        self.start_tour(
            "/odoo/action-backward_review.backward_review_action",
            "backward_management_review_answer_tour",
            login="bm_tour_buyer",
        )
        self.assertEqual(review.state, "acknowledged")
        self.start_tour(
            "/odoo/action-backward_review.backward_review_action",
            "backward_management_review_decide_tour",
            login="bm_tour_manager",
        )
        self.assertEqual(review.state, "upheld")
        self.assertEqual(review.penalty_ids.state, "approved")
        self.assertEqual(review.penalty_ids.vendor_id, self.factory.vendor)
