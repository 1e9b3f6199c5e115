from datetime import datetime

from odoo.tests import HttpCase, new_test_user, tagged

from .factory import create_factory


@tagged("post_install", "-at_install")
class TestPlanTour(HttpCase):
    """The plan in a real browser, from the sale order form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.factory = create_factory(cls.env)
        cls.salesperson = new_test_user(
            cls.env,
            "bm_tour_sales",
            groups="sales_team.group_sale_salesman,backward_plan.backward_management_group_user",
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.factory.customer.id,
                "user_id": cls.salesperson.id,
                "commitment_date": datetime(2030, 6, 19, 15, 0),
                "order_line": [(0, 0, {"product_id": cls.factory.bike.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_confirm()

    def test_salesperson_reads_the_plan_and_agrees(self):
        """Smart button, grouped plan, chain tree and the sales agreement, clicked in Chromium."""
        self.start_tour(
            f"/odoo/action-sale.action_orders/{self.order.id}",
            "backward_management_plan_tour",
            login="bm_tour_sales",
        )
        self.assertEqual(self.order.backward_sales_agreed_uid, self.salesperson)
