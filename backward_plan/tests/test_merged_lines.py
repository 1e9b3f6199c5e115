"""Orders whose purchases Odoo merges into one request line, at the default settings.

A factory confirms and agrees many orders before its buyer confirms the day's requests for
quotation: Odoo adds each order's tubes to the one draft line of the vendor's request (and
recomputes the line's date from the request's order date and the vendor's lead time). The line
then serves every order on it: it asks the vendor for the earliest of their needs, the
request is to be ordered by the earliest order-by, and the buyer's confirmation keeps both.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
FRIDAY = datetime(2026, 6, 26, 15, 0)  # 17:00 in Brussels


@tagged("post_install", "-at_install")
@freeze_time(T0)
class TestMergedPurchaseLines(DefaultsCase):
    def _agreed_order(self, commitment):
        """Confirmed by the salesperson, its plan agreed by the three parties."""
        order = self._order(commitment=commitment)
        self._agree(order)
        return order

    def _tube_step(self, orders):
        steps = orders.backward_deadline_ids.filtered(lambda d: d.product_id == self.tube and d.state != "cancel")
        self.assertEqual(len(steps), 1, "one step for the one line")
        return steps

    def _check(self, orders):
        step = self._tube_step(orders)
        line = step.purchase_line_id.sudo()
        self.assertEqual(line.product_qty, len(orders))
        needs = [o.backward_deadline_ids.filtered(lambda d: d.product_id == self.tube)[:1] for o in orders]
        self.assertEqual(step.date_deadline, min(need.date_deadline for need in needs if need))
        self.assertEqual(line.date_planned, step.date_deadline, "the line asks for the earliest need")
        self.assertEqual(line.order_id.date_order, step.date_start_deadline, "ordered by the earliest order-by")
        return step, line

    def test_the_latest_order_first_then_earlier_ones_merged_into_its_line(self):
        orders = self.env["sale.order"]
        for days in (0, -1, -2):  # Friday, then Thursday, then Wednesday
            orders |= self._agreed_order(FRIDAY + timedelta(days=days))
            self._check(orders)
        step, line = self._check(orders)
        asked = line.date_planned
        line.order_id.with_user(self.buyer).button_confirm()
        self.assertEqual(line.order_id.state, "purchase")
        self.assertEqual(line.date_planned, asked, "the buyer's confirmation keeps the date asked")
        self.assertEqual(step.date_document_planned, asked)
