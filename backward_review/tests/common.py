from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import new_test_user

from odoo.addons.backward_plan.tests.common import BackwardCase
from odoo.addons.backward_watch.tests.common import WatchMixin

REVIEW_PLANNED = "2026-06-01 07:00:00"


class ReviewCase(WatchMixin, BackwardCase):
    """A late chain to review: the bike's MO (production) waits for the late wheels (the buyer)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "bm_review_manager", groups="backward_plan.backward_management_group_manager"
        )
        cls.env.ref("backward_review.penalty_policy_purchase").warning_first_offence = False
        cls.env.ref("backward_review.penalty_policy_production").warning_first_offence = False

    def _late_chain(self, hours_after=5):
        """(order, wheels link, bike output link, a moment when both are late), as superuser."""
        with freeze_time(REVIEW_PLANNED):
            order = self._order().sudo()
            bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
            bike.production_id.sudo().user_id = self.planner_user
            order.action_backward_plan()
        wheels = bike.upstream_link_ids.filtered(lambda link: link.upstream_id.product_id == self.wheel)
        output = bike.downstream_link_ids
        moment = output.date_deadline + timedelta(hours=hours_after)
        return order, wheels, output, moment

    def _watch(self):
        self._run_watch()

    def _open_review(self, link, user=None):
        """The review the downstream side opens from the late link."""
        action = link.with_user(user or self.planner_user).action_open_review()
        return self.env["backward.review"].browse(action["res_id"])

    def _submit(self, review, statement, user=None):
        review.with_user(user or self.planner_user).write({"statement": statement})
        review.with_user(user or self.planner_user).action_submit()
