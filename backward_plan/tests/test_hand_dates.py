"""A manufacturing order's start typed by hand is the planner's: kept, and the plan starts from it.

At the default settings, through Odoo's flow: the salesperson confirms, Odoo creates the
manufacturing orders, the parties agree the plan from their own screens and the agreed
plan schedules each order at its start-by. A production user then types another Scheduled
Date in the order's form: the next re-plans (a new delivery date, a public holiday, the
scheduled action) leave it there, plan the order forward from it and expect it from it;
a start the plan wrote still follows the plan.
"""

from datetime import datetime, time, timedelta

import pytz
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00
BRUSSELS = pytz.timezone("Europe/Brussels")


class HandDatesCase(DefaultsCase):
    """What the plan wrote on a manufacturing order follows the plan; what a person typed stays."""

    def _type_start(self, production, moment):
        """A production user opens the order and types its Scheduled Date."""
        with Form(production.with_user(self.planner_user)) as form:
            form.date_start = moment
        self.assertEqual(production.date_start, moment)

    def _new_delivery_date(self, order, moment):
        with Form(order.with_user(self.salesperson)) as form:
            form.commitment_date = moment

    def _holiday(self, moment):
        day = pytz.utc.localize(moment).astimezone(BRUSSELS).date()
        start = BRUSSELS.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
        leaves = self.env["resource.calendar.leaves"].with_company(self.company)
        return leaves.create({"name": "Holiday", "date_from": start, "date_to": start + timedelta(days=1)})

    def _replan_cron(self):
        replanner = self.env["backward.replanner"]
        for _chunk in range(20):
            if not replanner._cron_backward_replan():
                break


@tagged("post_install", "-at_install")
class TestHandDates(HandDatesCase):
    def test_a_start_typed_by_hand_survives_a_re_plan_and_the_plan_starts_from_it(self):
        """Typed after the plan wrote it: a new delivery date re-plans, the parties agree
        again, the typed start stays; the earliest dates start from it."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            bike = self._step(order, "production", self.bike)
            production = bike.production_id
            self.assertEqual(production.date_start, bike.date_start_deadline, "the agreed plan wrote it")
            typed = bike.date_start_deadline + timedelta(days=1)
            self._type_start(production, typed)
            self._new_delivery_date(order, PROMISE + timedelta(days=7))
            self.assertEqual(order.backward_plan_state, "proposed", "a moved plan is agreed again")
            self._agree(order)
            self.assertEqual(production.date_start, typed, "the planner's start is kept")
            self.assertNotEqual(bike.date_start_deadline, typed, "the start-by is still the plan's latest start")
            self.assertNotIn("scheduled start", production.backward_schedule_note or "")
            # the plan starts from it: the order's earliest start is the typed one
            self.assertEqual(bike.date_earliest_start, typed)

    def test_a_start_typed_before_the_plan_is_agreed_is_kept(self):
        """Typed before anyone agreed: a public holiday re-plans (the scheduled action), the
        parties agree, the typed start stays."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            bike = self._step(order, "production", self.bike)
            production = bike.production_id
            typed = bike.date_start_deadline - timedelta(days=2)
            self._type_start(production, typed)
            self._holiday(bike.date_start_deadline - timedelta(days=1))
            self.assertTrue(order.backward_replan_reason)
            self._replan_cron()
            self.assertFalse(order.backward_replan_reason)
            self._agree(order)
            self.assertEqual(production.date_start, typed)
            self.assertEqual(bike.date_earliest_start, typed)
            # a later start typed moves the earliest delivery with it
            earliest = order.backward_earliest_date
            self._type_start(production, bike.date_deadline)
            order.with_user(self.salesperson).action_backward_plan()
            self.assertEqual(production.date_start, bike.date_deadline)
            self.assertEqual(bike.date_earliest_start, bike.date_deadline)
            self.assertGreater(order.backward_earliest_date, earliest)

    def test_a_start_typed_back_to_the_start_by_follows_the_plan_again(self):
        """The planner types the start-by shown on the order: the plan moves it again."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            bike = self._step(order, "production", self.bike)
            production = bike.production_id
            self._type_start(production, bike.date_start_deadline + timedelta(days=1))
            self._type_start(production, production.backward_date_start_deadline)
            self._new_delivery_date(order, PROMISE + timedelta(days=7))
            self._agree(order)
            self.assertEqual(production.date_start, bike.date_start_deadline)
            self.assertIn("scheduled start", production.backward_schedule_note)

    def test_a_start_the_plan_wrote_still_follows_the_plan(self):
        """No regression: re-planned and agreed again, the plan moves the start it wrote; a
        re-plan that changes nothing writes nothing."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            bike = self._step(order, "production", self.bike)
            production = bike.production_id
            first = production.date_start
            self._new_delivery_date(order, PROMISE + timedelta(days=7))
            self._agree(order)
            self.assertEqual(production.date_start, bike.date_start_deadline)
            self.assertGreater(production.date_start, first)
            moved = (production.date_start, production.date_finished, production.write_date)
            messages = self.env["mail.message"].search_count([])
            order.with_user(self.salesperson).action_backward_plan()
            self._replan_cron()
            self.assertEqual((production.date_start, production.date_finished, production.write_date), moved)
            self.assertEqual(order.backward_plan_state, "agreed")
            self.assertEqual(self.env["mail.message"].search_count([]), messages)

    def test_only_the_plan_records_the_start_it_wrote(self):
        """A production user cannot make a typed start look like the plan's."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            production = self._step(order, "production", self.bike).production_id.with_user(self.planner_user)
            written = production.sudo().backward_start_written
            with self.assertRaises(AccessError):
                production.write({"backward_start_written": T0})
            self.assertEqual(production.sudo().backward_start_written, written)
            Production = self.env["mrp.production"].with_user(self.planner_user)
            with self.assertRaises(AccessError):
                Production.create({"product_id": self.bike.id, "backward_start_written": T0})
            # nor through the defaults of the form's context
            forged = Production.with_context(default_backward_start_written=T0).create({"product_id": self.bike.id})
            self.assertFalse(forged.sudo().backward_start_written)
