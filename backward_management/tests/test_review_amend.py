"""A disputed review is decided on shares that add up: submitted whole, amended by the decider.

At the addon's default settings, through the real flow: production reviews the late
wheels, the buyer disputes, a manager who is not involved decides.
"""

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DefaultsCase, ReviewCase


@tagged("post_install", "-at_install")
class TestReviewAmend(ReviewCase, DefaultsCase):
    """Shares add up to 100% when submitted; the decider amends a disputed review's shares."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # ReviewCase turns the first-offence warning off for its point counts: here the
        # policies are as the addon ships them
        cls.env.ref("backward_management.penalty_policy_purchase").warning_first_offence = True
        cls.env.ref("backward_management.penalty_policy_production").warning_first_offence = True

    def _draft(self):
        """The draft review production opens on the late wheels: the policy's vendor line."""
        _order, wheels, _output, moment = self._late_chain()
        self.frozen = freeze_time(moment)
        self.frozen.start()
        self.addCleanup(self.frozen.stop)
        self._watch()
        self.assertEqual((wheels.state, wheels.downstream_user_id), ("late", self.planner_user))
        review = self._open_review(wheels)
        self.assertEqual(review.penalty_ids.vendor_id, self.vendor)
        self.wheels = wheels
        return review

    def test_submitting_shares_short_of_100_is_refused(self):
        """Shares adding up to 60%: submitting is refused and the review stays a draft, unanswered."""
        review = self._draft()
        as_reviewer = review.with_user(self.planner_user)
        as_reviewer.penalty_ids.write({"share": 60})
        as_reviewer.statement = "The assembly line waited half a shift."
        with self.assertRaisesText(ValidationError, "add up to 60.0%, not 100%"):
            as_reviewer.action_submit()
        self.assertEqual(review.state, "draft")
        self.assertFalse(review.submitted_by_id)
        self.assertFalse(review.activity_ids, "nobody is asked to answer")
        self.assertEqual(review.penalty_ids.share, 60, "nothing lost: the reviewer corrects the shares")
