"""The agreed plan is Odoo's own schedule, and the watch raises no alarm for the dates it wrote.

At the default settings, through Odoo's real flow: the salesperson confirms, the three
parties agree from their own screens, the buyer confirms the purchases (Odoo's receipts
join the chain), the delivery date moves and the plan is agreed again: at each moment the
watch runs as its scheduled actions do, and every link stays open.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import WatchDefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestScheduleQuiet(WatchDefaultsCase):
    """The dates the agreed plan wrote into Odoo's documents are no slip for the watch."""

    def _assert_quiet(self, order):
        noisy = self._links(order).filtered(lambda link: link.state not in ("open", "done"))
        self.assertFalse(noisy, [(link.name, link.state, link.date_expected, link.date_need) for link in noisy])

    def test_the_agreed_plan_written_into_odoo_raises_no_alarm(self):
        """Confirmed, agreed (Odoo's dates follow), purchases ordered: the watch sees nothing move."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._run_watch()
            self._assert_quiet(order)
            self._agree(order)
            bike = self._step(order, "production", self.bike)
            self.assertEqual(bike.production_id.date_start, bike.date_start_deadline, "the plan wrote the start")
            self._run_watch()
            self._assert_quiet(order)
            # the buyer orders, receipts join the chain, the plan is agreed again: still quiet
            for purchase in self._step(order, "purchase").purchase_id:
                purchase.with_user(self.buyer).button_confirm()
            self._run_watch()
            self._assert_quiet(order)

    def test_an_agreed_re_plan_raises_no_alarm(self):
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            order.with_user(self.salesperson).commitment_date = PROMISE + timedelta(days=7)
            self._agree(order)
            self._run_watch()
            self._assert_quiet(order)
