"""A manufacturing order's start typed by hand: the watch expects the order from it.

At the default settings, through Odoo's flow: the parties agree the plan, a production
user types another Scheduled Date in the order's form, a new delivery date re-plans and
the parties agree again; the watch then expects the order from the typed start.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import WatchDefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestHandDatesWatched(WatchDefaultsCase):
    def test_a_start_typed_by_hand_is_expected_from_it(self):
        """Typed after the plan wrote it and kept through a re-plan: expected from it, well
        before its new deadline, nothing to re-promise."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            bike = self._step(order, "production", self.bike)
            production = bike.production_id
            typed = bike.date_start_deadline + timedelta(days=1)
            with Form(production.with_user(self.planner_user)) as form:
                form.date_start = typed
            with Form(order.with_user(self.salesperson)) as form:
                form.commitment_date = PROMISE + timedelta(days=7)
            self._agree(order)
            self.assertEqual(production.date_start, typed, "the planner's start is kept")
            self._run_watch()
            self.assertEqual(bike.date_expected, bike.date_earliest_finish)
            self.assertLess(bike.date_expected, bike.date_deadline)
            self.assertEqual(bike.downstream_link_ids.filtered(lambda link: link.state != "cancel").state, "open")
            self.assertFalse(self.env["backward.repromise"].sudo().search([("sale_order_id", "=", order.id)]))
