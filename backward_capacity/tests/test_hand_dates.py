"""A manufacturing order's start typed by hand, with finite capacity: kept, never placed again."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.backward_plan.tests.test_hand_dates import PROMISE, T0, HandDatesCase


@tagged("post_install", "-at_install")
class TestHandDatesCapacity(HandDatesCase):
    def test_a_start_typed_by_hand_is_kept_with_finite_capacity(self):
        """With finite capacity the placement writes the start; one typed over it is not placed again."""
        self.company.backward_capacity = "finite"
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            bike = self._step(order, "production", self.bike)
            production = bike.production_id
            self.assertTrue(production.is_planned, "placed on the work center")
            placed = production.date_start
            typed = placed + timedelta(days=1)
            self._type_start(production, typed)
            self.assertFalse(production.is_planned, "Odoo unplans an order moved by hand")
            self._new_delivery_date(order, PROMISE + timedelta(days=7))
            self.assertEqual(production.date_start, typed)
            self.assertEqual(bike.date_earliest_start, typed)
            # another order's manufacturing order is still placed and moved by the plan
            other = self._order(commitment=PROMISE)
            other_production = self._step(other, "production", self.bike).production_id
            self.assertTrue(other_production.is_planned)
            before = other_production.date_start
            self._new_delivery_date(other, PROMISE + timedelta(days=7))
            self.assertGreater(other_production.date_start, before, "a start the plan wrote moves with it")
