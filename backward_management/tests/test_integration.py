"""The layers together: what one layer does must not alarm another."""

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.backward_capacity.tests.test_finite_capacity import T0, FiniteCase
from odoo.addons.backward_watch.tests.common import WatchMixin


@tagged("post_install", "-at_install")
class TestIntegration(WatchMixin, FiniteCase):
    def test_placements_of_finite_capacity_raise_no_alarm_of_the_watch(self):
        """Orders queued back to back on the work center, each moved earlier to make room:
        the watch judges them on plan, not at risk."""
        self._finite()
        with freeze_time(T0):
            orders = self._queue_stools()
            states = [self._step(order, "production").capacity_state for order in orders]
            self.assertEqual(states, [False, "moved", "moved", "moved"])
            self._run_watch()
            noisy = self._links(orders).filtered(lambda link: link.state not in ("open", "done"))
            self.assertFalse(noisy, noisy.mapped("name"))
