from contextlib import contextmanager
from datetime import datetime

from odoo.tests import Form, TransactionCase, new_test_user

from .factory import COMPANY_SETTINGS, create_factory


class BackwardCase(TransactionCase):
    """The factory of ``factory.py`` and one user per party of the plan."""

    # no buffers, an hourly grid (see factory.py); DefaultsCase keeps the addon's defaults
    factory_settings = COMPANY_SETTINGS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        factory = create_factory(cls.env, settings=cls.factory_settings)
        for name, value in vars(factory).items():
            setattr(cls, name, value)
        cls.salesperson = new_test_user(
            cls.env,
            "bm_sales",
            groups="sales_team.group_sale_salesman,backward_plan.backward_management_group_user",
        )
        cls.planner_user = new_test_user(
            cls.env,
            "bm_production",
            groups="mrp.group_mrp_user,backward_plan.backward_management_group_user",
        )
        cls.buyer = new_test_user(
            cls.env,
            "bm_buyer",
            groups="purchase.group_purchase_user,backward_plan.backward_management_group_user",
        )
        # the vendors' buyer owns the purchases Odoo creates for them
        (cls.vendor | cls.tube_vendor).buyer_id = cls.buyer

    def _agree(self, order):
        """The salesperson, the planner and the buyer agree ``order``'s plan, each as themselves."""
        order.with_user(self.salesperson).action_backward_agree_sales()
        order.with_user(self.planner_user).action_backward_agree_production()
        order.with_user(self.buyer).action_backward_agree_purchase()
        self.assertEqual(order.backward_plan_state, "agreed")

    @contextmanager
    def assertRaisesText(self, exception, text):
        """Like assertRaisesRegex, with Odoo's savepoint: the refused change is rolled back."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), text)

    def _order(self, product=None, quantity=1, commitment=datetime(2026, 6, 19, 15, 0), confirm=True):
        """A sale order of bikes to deliver by ``commitment`` (UTC)."""
        with Form(self.env["sale.order"].with_user(self.salesperson)) as form:
            form.partner_id = self.customer
            form.commitment_date = commitment
            with form.order_line.new() as line:
                line.product_id = product or self.bike
                line.product_uom_qty = quantity
        order = form.save()
        if confirm:
            order.with_user(self.salesperson).action_confirm()
        return order

    def _agree(self, order):
        """Sales, production and purchasing agree the plan, each from its own screen: the
        RFQs then ask their vendors for the plan's dates."""
        order.with_user(self.salesperson).action_backward_agree_sales()
        order.with_user(self.planner_user).action_backward_agree_production()
        order.with_user(self.buyer).action_backward_agree_purchase()
        self.assertEqual(order.backward_plan_state, "agreed")

    def _deadline(self, order, document):
        return order.backward_deadline_ids.filtered(
            lambda d: d.production_id == document or d.picking_id == document or d.purchase_line_id == document
        )


class DefaultsCase(BackwardCase):
    """The factory at the addon's default settings: buffers of Settings, shift grid."""

    factory_settings = {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = new_test_user(cls.env, "bm_stock", groups="stock.group_stock_user")
        # as in a factory, the planner and the buyer are inventory users too (Odoo needs it
        # to confirm a purchase that feeds a manufacturing order)
        (cls.planner_user | cls.buyer).groups_id |= cls.env.ref("stock.group_stock_user")

    def _links(self, order):
        return order.sudo().backward_deadline_ids.downstream_link_ids.filtered(lambda link: link.state != "cancel")

    def _step(self, order, kind, product=None):
        return order.sudo().backward_deadline_ids.filtered(
            lambda d: d.kind == kind and d.state != "cancel" and (product is None or d.product_id == product)
        )
