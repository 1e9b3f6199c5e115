"""The vendor's date is the fact: an RFQ asks for the receive-by, a confirmed purchase is
expected when its vendor says.

At the default settings, through Odoo's real flow: the salesperson confirms, the three
parties agree (the RFQs then ask their vendors for the plan's receive-by), the buyer
confirms the purchase, the vendor's new date is written on the purchase line from the
purchase order's form, and the watch runs as its scheduled actions do.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import WatchDefaultsCase

T0 = datetime(2026, 12, 1, 8, 0)  # Tuesday 09:00 in Brussels
PROMISE = datetime(2026, 12, 28, 15, 0)  # Monday 16:00
VENDOR_LATE = datetime(2026, 12, 29, 12, 0)  # Tuesday 13:00: the vendor's new date
CONSENT = "backward_watch.mail_activity_type_repromise_consent"


@tagged("post_install", "-at_install")
class TestVendorDate(WatchDefaultsCase):
    """The purchase side of the plan is Odoo's schedule; the vendor's word is the expectation."""

    # ------------------------------------------------------------------ helpers

    def _wheels(self, order):
        """(the wheels' step, their purchase line)."""
        step = self._step(order, "purchase", self.wheel)
        return step, step.purchase_line_id

    def _link(self, step):
        return step.downstream_link_ids.filtered(lambda link: link.state != "cancel")

    def _vendor_says(self, line, moment):
        """The buyer writes the vendor's date on the line, from the purchase order's form."""
        purchase = line.order_id.with_user(self.buyer)
        with Form(purchase) as form:
            index = purchase.order_line.ids.index(line.id)
            with form.order_line.edit(index) as row:
                row.date_planned = moment

    def _ordered(self):
        """Confirmed, agreed, the wheels ordered by the buyer, watched: (order, step, line)."""
        order = self._order(commitment=PROMISE)
        self._agree(order)
        step, line = self._wheels(order)
        line.order_id.with_user(self.buyer).button_confirm()
        self._run_watch()
        return order, step, line

    # ------------------------------------------------------------------ the tests

    @freeze_time(T0)
    def test_an_agreed_rfq_asks_its_vendor_for_the_receive_by(self):
        """Agreed: each RFQ line's expected arrival is its receive-by; confirmed on it, on plan."""
        order = self._order(commitment=PROMISE)
        step, line = self._wheels(order)
        self.assertNotEqual(line.date_planned, step.date_deadline, "Odoo schedules without the plan")
        self._agree(order)
        for purchase_step in self._step(order, "purchase"):
            self.assertEqual(purchase_step.purchase_line_id.date_planned, purchase_step.date_deadline)
        self.assertIn("expected arrival", line.order_id.backward_schedule_note)
        line.order_id.with_user(self.buyer).button_confirm()
        self._run_watch()
        link = self._link(step)
        self.assertEqual(link.downstream_id.kind, "receipt", "Odoo inserted the receipt")
        self.assertEqual(step.date_expected, line.date_planned, "expected when the vendor said")
        self.assertEqual(link.date_deadline, line.date_planned, "the vendor's yes to the receive-by is kept")
        self.assertEqual(link.state, "open")
        self.assertFalse(link.repromise_ids)

    @freeze_time(T0)
    def test_a_date_typed_on_the_rfq_stays(self):
        """The vendor answered the RFQ with its own date: the agreed plan does not overwrite it."""
        order = self._order(commitment=PROMISE)
        step, line = self._wheels(order)
        typed = step.date_deadline - timedelta(days=1)
        self._vendor_says(line, typed)
        self._agree(order)
        self.assertEqual(line.date_planned, typed)
        tubes = self._step(order, "purchase", self.tube)
        self.assertEqual(tubes.purchase_line_id.date_planned, tubes.date_deadline, "the other RFQ follows the plan")

    @freeze_time(T0)
    def test_an_agreed_re_plan_asks_the_rfq_again(self):
        """The date the plan wrote is remembered: a new agreed plan moves it again."""
        order = self._order(commitment=PROMISE)
        self._agree(order)
        step, line = self._wheels(order)
        first = line.date_planned
        order.with_user(self.salesperson).commitment_date = PROMISE + timedelta(days=7)
        self._agree(order)
        self.assertGreater(step.date_deadline, first)
        self.assertEqual(line.date_planned, step.date_deadline)

    @freeze_time(T0)
    def test_the_vendor_s_later_date_is_the_expectation(self):
        """The vendor moves to 12-29: expected 12-29, a re-promise past the slack, the order projected later."""
        order, step, line = self._ordered()
        link = self._link(step)
        projected = order.backward_projected_date
        self.assertLessEqual(projected, order.commitment_date)
        self._vendor_says(line, VENDOR_LATE)
        self._run_watch()
        self.assertEqual(step.date_expected, VENDOR_LATE)
        self.assertEqual(link.date_expected, VENDOR_LATE)
        self.assertEqual(link.state, "at_risk")
        repromise = link.repromise_ids
        self.assertEqual(len(repromise), 1)
        self.assertEqual((repromise.state, repromise.date_new), ("pending", VENDOR_LATE))
        self.assertTrue(link.repromise_pending)
        consent = repromise.activity_ids.filtered(lambda activity: activity.activity_type_id == self.env.ref(CONSENT))
        self.assertEqual(len(consent), 1, "the downstream side is asked to consent")
        self.assertGreater(order.backward_projected_date, VENDOR_LATE, "the projection moves with the vendor")
        self.assertTrue(order.backward_projected_late)

    @freeze_time(T0)
    def test_a_later_date_within_the_slack_is_an_absorbed_repromise(self):
        """Past the receive-by but by the need: expected on the vendor's date, accepted at once."""
        _order, step, line = self._ordered()
        link = self._link(step)
        within = link.date_deadline + (link.date_need - link.date_deadline) / 2
        self._vendor_says(line, within)
        self._run_watch()
        self.assertEqual(link.date_expected, step.date_expected)
        self.assertEqual(step.date_expected, within)
        self.assertEqual(link.state, "absorbed")
        self.assertEqual(link.repromise_ids.mapped("state"), ["absorbed"])
        self.assertEqual(link.repromise_ids.date_new, within)
        self.assertFalse(link.repromise_pending)

    @freeze_time(T0)
    def test_a_purchase_confirmed_past_the_receive_by_is_a_repromise_at_once(self):
        """The vendor answered the RFQ after the need and the buyer confirms it: re-promised at once."""
        order = self._order(commitment=PROMISE)
        self._agree(order)
        step, line = self._wheels(order)
        self._vendor_says(line, VENDOR_LATE)
        line.order_id.with_user(self.buyer).button_confirm()
        self._run_watch()
        link = self._link(step)
        self.assertEqual(link.date_expected, VENDOR_LATE)
        self.assertEqual(link.repromise_ids.mapped("state"), ["pending"])
        self.assertGreater(order.backward_projected_date, VENDOR_LATE)
