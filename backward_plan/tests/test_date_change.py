"""A customer's new delivery date: its effect on every step shown first, then agreed again.

At the default settings, through Odoo's real flow: the salesperson confirms, the three
parties agree the plan, then the salesperson asks for another date with the wizard.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestDeliveryDateChange(DefaultsCase):
    """The customer asks for another date: the effect on every step first, then the agreement."""

    def _wizard(self, order, user=None):
        model = self.env["backward.date.change.wizard"].with_user(user or self.salesperson)
        return Form(model.with_context(active_model="sale.order", active_id=order.id))

    def _agreed(self):
        order = self._order(commitment=PROMISE)
        self._agree(order)
        return order

    @freeze_time(T0)
    def test_the_effect_is_shown_before_the_change_is_agreed(self):
        order = self._agreed()
        bike = self._step(order, "production", self.bike)
        deadline = bike.date_deadline
        form = self._wizard(order)
        self.assertEqual(form.date_current, PROMISE)
        form.date_new = PROMISE + timedelta(days=7)
        # shown, nothing written yet
        self.assertTrue(form.feasible)
        for step in self._links(order).upstream_id:
            self.assertIn(step.name, form.effect_html)
        self.assertEqual(order.commitment_date, PROMISE)
        self.assertEqual(bike.date_deadline, deadline)
        self.assertEqual(order.backward_plan_state, "agreed")
        form.note = "The customer's site opens a week later."
        form.save().action_apply()
        self.assertEqual(order.commitment_date, PROMISE + timedelta(days=7))
        self.assertGreater(bike.date_deadline, deadline)
        self.assertEqual(order.backward_plan_state, "proposed", "every party agrees the new plan")
        message = order.message_ids[:1]
        self.assertIn("customer's request", message.body)
        self.assertIn("site opens a week later", message.body)
        self.assertIn(self.env["backward.notifier"]._format(bike.date_deadline), message.body, "the moves shown")

    @freeze_time(T0)
    def test_a_date_too_early_is_shown_infeasible(self):
        order = self._agreed()
        form = self._wizard(order)
        form.date_new = T0 + timedelta(days=2)
        self.assertFalse(form.feasible)
        self.assertGreater(form.date_earliest, T0 + timedelta(days=2))
        self.assertIn("text-danger", form.effect_html)

    @freeze_time(T0)
    def test_bad_changes_are_refused_and_change_nothing(self):
        """A past date, the same date, a quotation, a user who may not sell: refused."""
        order = self._agreed()
        for moment, text in ((T0 - timedelta(days=1), "in the past"), (PROMISE, "already the order's delivery date")):
            form = self._wizard(order)
            form.date_new = moment
            with self.assertRaisesText(UserError, text):
                form.save().action_apply()
        quotation = self._order(commitment=PROMISE, confirm=False)
        form = self._wizard(quotation)
        form.date_new = PROMISE + timedelta(days=1)
        self.assertFalse(form.effect_html)
        with self.assertRaisesText(UserError, "Only a confirmed order"):
            form.save().action_apply()
        with self.assertRaises(AccessError):
            self.env["backward.date.change.wizard"].with_user(self.buyer).create(
                {"order_id": order.id, "date_new": PROMISE + timedelta(days=1)}
            )
        self.assertEqual(order.commitment_date, PROMISE)
        self.assertEqual(quotation.commitment_date, PROMISE)
        self.assertEqual(order.backward_plan_state, "agreed")
        # keeping the agreement is no context key a client may send
        order.with_user(self.salesperson).with_context(backward_keep_agreement=True).write(
            {"commitment_date": PROMISE + timedelta(days=3)}
        )
        self.assertEqual(order.backward_plan_state, "proposed")
