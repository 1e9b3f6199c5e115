from contextlib import contextmanager
from datetime import datetime

from odoo.tests import Form, TransactionCase, new_test_user

from .factory import create_factory


class BackwardCase(TransactionCase):
    """The factory of ``factory.py`` and one user per party of the plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        factory = create_factory(cls.env)
        for name, value in vars(factory).items():
            setattr(cls, name, value)
        cls.salesperson = new_test_user(
            cls.env,
            "bm_sales",
            groups="sales_team.group_sale_salesman,backward_management.backward_management_group_user",
        )
        cls.planner_user = new_test_user(
            cls.env,
            "bm_production",
            groups="mrp.group_mrp_user,backward_management.backward_management_group_user",
        )
        cls.buyer = new_test_user(
            cls.env,
            "bm_buyer",
            groups="purchase.group_purchase_user,backward_management.backward_management_group_user",
        )
        # the vendors' buyer owns the purchases Odoo creates for them
        (cls.vendor | cls.tube_vendor).buyer_id = cls.buyer

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

    def _deadline(self, order, document):
        return order.backward_deadline_ids.filtered(
            lambda d: d.production_id == document or d.picking_id == document or d.purchase_line_id == document
        )
