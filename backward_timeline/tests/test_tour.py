from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.backward_plan.tests.factory import create_factory


@tagged("post_install", "-at_install")
class TestTimelineTour(HttpCase):
    """The chain timeline in a real browser: bars, arrows, critical path, click-through."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.factory = create_factory(env)
        planner = new_test_user(
            env,
            "bm_tour_planner",
            groups="sales_team.group_sale_salesman,mrp.group_mrp_user,stock.group_stock_user,"
            "backward_plan.backward_management_group_user",
        )
        cls.order = env["sale.order"].create(
            {
                "partner_id": cls.factory.customer.id,
                "user_id": planner.id,
                # a weekday afternoon, six weeks ahead: room for the whole chain
                "commitment_date": datetime.combine(fields.Date.today() + timedelta(days=42), time(15, 0)),
                "order_line": [(0, 0, {"product_id": cls.factory.bike.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_confirm()
        # the plan agreed (the RFQs ask for the receive-by), the purchases are ordered
        admin = env.ref("base.user_admin")
        for party in ("sales", "production", "purchase"):
            getattr(cls.order.with_user(admin), f"action_backward_agree_{party}")()
        cls.order.backward_deadline_ids.purchase_id.button_confirm()
        wheels = cls.order.backward_deadline_ids.filtered(
            lambda d: d.kind == "purchase" and d.product_id == cls.factory.wheel
        )
        wheels.purchase_line_id.date_planned += timedelta(days=30)
        # both scheduled actions: the watch, then the projection that carries the delay down
        env["backward.watch"]._cron_backward_watch()
        while env["backward.watch"]._cron_backward_tell():
            pass

    def test_the_planner_reads_the_chain_on_a_timeline(self):
        data = self.env["backward.timeline"].get_timeline("sale.order", self.order.ids)
        kinds = sorted(row["kind"] for row in data["rows"])
        self.assertEqual(
            kinds,
            ["customer", "delivery", "production", "production", "purchase", "purchase", "receipt", "receipt"],
        )
        self.assertEqual(len(data["links"]), 7)
        critical = sorted((row["kind"], row["product"]) for row in data["rows"] if row["critical"])
        self.assertEqual(
            [kind for kind, _product in critical],
            ["customer", "delivery", "production", "purchase", "receipt"],
            critical,
        )
        self.start_tour(
            f"/odoo/action-sale.action_orders/{self.order.id}",
            "backward_management_timeline_tour",
            login="bm_tour_planner",
        )
