from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.backward_plan.tests.common import BackwardCase


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestReviewPortal(BackwardCase):
    def test_portal_and_public_users_see_nothing(self):
        """Portal and public users read no review, penalty nor policy."""
        portal = new_test_user(self.env, "bm_portal_review", groups="base.group_portal")
        public = self.env.ref("base.public_user")
        self._order()
        for user in (portal, public):
            for model in ("backward.review", "backward.penalty", "backward.penalty.policy"):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])
