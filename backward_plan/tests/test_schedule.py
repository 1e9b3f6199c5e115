"""The agreed plan is Odoo's own schedule: native deadlines, order deadlines, MO starts.

At the default settings, through Odoo's real flow: the salesperson confirms, the three
parties agree from their own screens, the buyer confirms purchases, the planner plans work
orders by hand. Odoo's own fields follow the agreed plan; what a person or a vendor set
stays.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestSchedule(DefaultsCase):
    """Odoo's dates follow the agreed plan, and only the agreed plan."""

    def _assert_follows(self, order, productions=True):
        """Every open move of a transfer or MO of the chain has its step's deadline (a
        purchase's moves are its receipt's, a step of its own once ordered)."""
        for step in self._links(order).upstream_id.filtered(lambda step: step.kind != "purchase"):
            moves = (step.picking_id.move_ids | step.production_id.move_finished_ids).filtered(
                lambda move: move.state not in ("done", "cancel")
            )
            self.assertTrue(moves, step.name)
            for move in moves:
                self.assertEqual(move.date_deadline, step.date_deadline, f"{step.name}: {move.reference}")
            document = step.production_id or step.picking_id
            self.assertEqual(document.date_deadline, step.date_deadline, step.name)
            if step.kind == "production" and productions:
                self.assertEqual(step.production_id.date_start, step.date_start_deadline, step.name)

    def test_the_agreed_plan_becomes_odoo_s_schedule(self):
        """Agreed: deadlines of moves, transfers and MOs, the RFQs' order deadlines and the
        MOs' starts are the plan's."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            bike = self._step(order, "production", self.bike)
            odoo_start = bike.production_id.date_start
            self.assertNotEqual(odoo_start, bike.date_start_deadline, "Odoo schedules without the plan")
            self._agree(order)
            self._assert_follows(order)
            for purchase in self._step(order, "purchase").purchase_id:
                order_by = min(
                    self._step(order, "purchase")
                    .filtered(lambda s, p=purchase: s.purchase_id == p)
                    .mapped("date_start_deadline")
                )
                self.assertEqual(purchase.date_order, order_by, purchase.name)
            delivery = self._step(order, "delivery")
            self.assertEqual(delivery.picking_id.date_deadline, delivery.date_deadline)
            # each document says which of its dates the plan wrote
            self.assertEqual(bike.production_id.backward_schedule_note, "deadline, scheduled start")
            self.assertEqual(delivery.picking_id.backward_schedule_note, "deadline")
            self.assertIn("order deadline", self._step(order, "purchase").purchase_id[:1].backward_schedule_note)

    def test_what_a_person_or_a_vendor_set_stays(self):
        """A purchase confirmed with its vendor keeps its dates; an MO planned by hand keeps
        its slots; one already started is not moved."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            wheels = self._step(order, "purchase", self.wheel).purchase_id
            wheels.with_user(self.buyer).button_confirm()
            confirmed_on = wheels.date_order
            frame = self._step(order, "production", self.frame).production_id.with_user(self.planner_user)
            frame.button_plan()
            planned = (frame.date_start, frame.date_finished)
            self._agree(order)
            self.assertEqual(wheels.date_order, confirmed_on, "the vendor's order keeps its date")
            self.assertEqual((frame.date_start, frame.date_finished), planned, "planned by hand: untouched")
            bike = self._step(order, "production", self.bike)
            self.assertEqual(bike.production_id.date_start, bike.date_start_deadline, "the other MO follows")
            self.assertEqual(frame.date_deadline, self._step(order, "production", self.frame).date_deadline)

    def test_an_agreed_re_plan_moves_odoo_s_dates_again(self):
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            bike = self._step(order, "production", self.bike)
            first = bike.production_id.date_deadline
            order.with_user(self.salesperson).commitment_date = PROMISE + timedelta(days=7)
            self.assertEqual(order.backward_plan_state, "proposed", "a moved plan is agreed again")
            # (Odoo itself shifts the deadlines of the chain by the delivery date's change)
            self._agree(order)
            self.assertGreater(bike.date_deadline, first)
            self._assert_follows(order)

    def test_the_setting_leaves_the_mo_start_to_odoo(self):
        self.company.backward_schedule_productions = False
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            bike = self._step(order, "production", self.bike)
            odoo_start = bike.production_id.date_start
            self._agree(order)
            self.assertEqual(bike.production_id.date_start, odoo_start)
            self._assert_follows(order, productions=False)
