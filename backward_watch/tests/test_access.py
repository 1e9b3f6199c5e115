from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import WatchCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestWatchAccess(WatchCase):
    """Who sees the watch's records and changes its verdicts."""

    def test_portal_and_public_users_see_nothing(self):
        """Portal and public users read no re-promise, delay reason nor on-time rate."""
        portal = new_test_user(self.env, "bm_portal_watch", groups="base.group_portal")
        public = self.env.ref("base.public_user")
        self._order()
        for user in (portal, public):
            for model in ("backward.repromise", "backward.delay.reason", "backward.ontime.report"):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])

    def test_the_projection_of_an_order_is_not_set_by_hand(self):
        """A salesperson cannot write a projection over RPC, nor a link's verdict."""
        order = self._order()
        for name, value in (("backward_projected_late", True), ("backward_escalated", True)):
            with self.assertRaisesText(AccessError, "cannot be set by hand"):
                order.with_user(self.salesperson).write({name: value})
        self.assertFalse(order.backward_projected_late)
        link = order.backward_link_ids[:1]
        with self.assertRaises(AccessError):
            link.with_user(self.salesperson).write({"date_expected": "2026-06-30 15:00:00"})
        self.assertFalse(link.date_expected)
