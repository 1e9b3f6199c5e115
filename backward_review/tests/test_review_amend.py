"""A disputed review is decided on shares that add up: submitted whole, amended by the decider.

At the addon's default settings, through the real flow: production reviews the late
wheels, the buyer disputes, a manager who is not involved decides.
"""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.backward_plan.tests.common import DefaultsCase

from .common import ReviewCase


@tagged("post_install", "-at_install")
class TestReviewAmend(ReviewCase, DefaultsCase):
    """Shares add up to 100% when submitted; the decider amends a disputed review's shares."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # ReviewCase turns the first-offence warning off for its point counts: here the
        # policies are as the addon ships them
        cls.env.ref("backward_review.penalty_policy_purchase").warning_first_offence = True
        cls.env.ref("backward_review.penalty_policy_production").warning_first_offence = True
        cls.named_manager = new_test_user(
            cls.env, "bm_amend_named_manager", groups="backward_plan.backward_management_group_manager"
        )
        cls.plain_user = new_test_user(
            cls.env, "bm_amend_plain_user", groups="backward_plan.backward_management_group_user"
        )

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

    def _disputed(self, dispute=True):
        """Submitted at 60% for the vendor, 40% for the buyer, and a line naming a manager with
        nothing on it yet; then disputed by the buyer."""
        review = self._draft()
        as_reviewer = review.with_user(self.planner_user)
        self.vendor_line = review.penalty_ids
        self.vendor_line.with_user(self.planner_user).write({"share": 60})
        penalties = self.env["backward.penalty"].with_user(self.planner_user)
        self.buyer_line = penalties.create(
            {
                "review_id": review.id,
                "link_id": self.wheels.id,
                "party_type": "user",
                "user_id": self.buyer.id,
                "share": 40,
                "points": 1,
            }
        )
        self.named_line = penalties.create(
            {
                "review_id": review.id,
                "link_id": self.wheels.id,
                "party_type": "user",
                "user_id": self.named_manager.id,
                "share": 0,
            }
        )
        as_reviewer.statement = "The assembly line waited half a shift."
        as_reviewer.action_submit()
        if dispute:
            review.with_user(self.buyer).action_dispute("The vendor shipped late: the order went out in time.")
            self.assertEqual(review.state, "disputed")
        self.review = review
        return review

    def _snapshot(self):
        """The review's state, each line's share and state, and its chatter, as stored."""
        self.env.flush_all()
        self.env.invalidate_all()
        review = self.review.sudo()
        return (
            review.state,
            sorted(review.penalty_ids.mapped(lambda line: (line.id, line.share, line.state))),
            review.message_ids.ids,
        )

    def _refused(self, exception, text, call):
        """``call`` raises ``exception`` saying ``text`` and changes nothing (no savepoint undoes it)."""
        before = self._snapshot()
        try:
            call()
        except exception as error:
            self.assertRegex(str(error), text)
        else:
            self.fail(f"{exception.__name__} not raised: {text}")
        self.assertEqual(self._snapshot(), before, "a refused amendment changes nothing")

    def test_the_decider_amends_a_disputed_review_then_upholds_it(self):
        """The dispute is heard: the decider moves shares to the vendor, says why, and upholds."""
        review = self._disputed()
        messages = review.message_ids
        vendor_points = self.vendor_line.points
        action = review.with_user(self.manager).action_open_amend_wizard()
        wizard = self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"])
        form = Form(wizard)
        new_shares = {self.vendor_line: 80, self.buyer_line: 20, self.named_line: 0}
        self.assertEqual(len(form.line_ids), 3)
        for index in range(3):
            with form.line_ids.edit(index) as line:
                line.share = new_shares[line.penalty_id]
        form.reason = "The purchase order went out on time; the vendor shipped two days late."
        form.save().action_confirm()
        self.assertEqual(review.state, "disputed", "amending is not deciding")
        self.assertEqual([line.share for line in new_shares], [80, 20, 0])
        # points follow the shares: the buyer answers for half as much, the vendor for a third more
        self.assertEqual(self.buyer_line.points, 0.5)
        self.assertAlmostEqual(self.vendor_line.points, round(vendor_points * 80 / 60, 2))
        posted = review.message_ids - messages
        self.assertEqual(len(posted), 1)
        self.assertEqual(posted.author_id, self.manager.partner_id)
        self.assertIn(f"{self.vendor.name}: 60.0% → 80.0%", posted.body)
        self.assertIn(f"{self.buyer.name}: 40.0% → 20.0%", posted.body)
        self.assertNotIn(self.named_manager.name, posted.body, "an unchanged share is not an amendment")
        self.assertIn("the vendor shipped two days late", posted.body)
        review.with_user(self.manager).action_uphold()
        self.assertEqual((review.state, review.decided_by_id), ("upheld", self.manager))
        ledger = self.env["backward.penalty"].search([("review_id", "=", review.id), ("state", "=", "approved")])
        self.assertEqual({line: line.share for line in ledger}, new_shares)
        self.assertEqual(ledger.approved_by_id, self.manager)

    def test_points_follow_the_amended_shares(self):
        """A party amended to 0% carries nothing, not even a warning; one that had no share takes
        the review's points per percent."""
        review = self._disputed()
        self.assertTrue(self.vendor_line.is_warning, "the vendor's first offence")
        review.with_user(self.manager).action_amend_shares(
            {self.vendor_line.id: 0, self.named_line.id: 60}, "The vendor was never asked for the wheels."
        )
        self.assertEqual((self.vendor_line.share, self.vendor_line.points, self.vendor_line.is_warning), (0, 0, False))
        # 1 point over 100% before: 0.01 point per percent
        self.assertEqual((self.named_line.share, self.named_line.points), (60, 0.6))
        self.assertEqual((self.buyer_line.share, self.buyer_line.points), (40, 1))

    def test_only_the_deciding_manager_amends(self):
        """The reviewer, the reviewed party, a manager a line names, a plain user: each refused."""
        review = self._disputed()
        shares = {self.vendor_line.id: 100, self.buyer_line.id: 0}
        reason = "Mine to decide."
        for user, text in (
            (self.planner_user, "Only a Backward Management manager"),
            (self.buyer, "Only a Backward Management manager"),
            (self.named_manager, "names you"),
            (self.plain_user, "Only a Backward Management manager"),
        ):
            with self.subTest(user=user.login):
                as_user = review.with_user(user)
                self.env.invalidate_all()
                self._refused(AccessError, text, lambda as_user=as_user: as_user.action_amend_shares(shares, reason))
                self._refused(AccessError, text, lambda as_user=as_user: as_user.action_open_amend_wizard())
                wizards = self.env["backward.review.amend.wizard"].with_user(user)
                # the form itself: closed to non-managers, and it amends nothing for a party
                self._refused(
                    AccessError,
                    text if user == self.named_manager else "not allowed",
                    lambda wizards=wizards: wizards.create({"review_id": review.id, "reason": reason}).action_confirm(),
                )

    def test_bad_amendments_are_refused_and_lose_nothing(self):
        """Before the dispute, without a reason, not 100%, negative, not a number, unchanged, not a line of
        the review, once upheld: each refused."""
        review = self._disputed(dispute=False)
        as_decider = review.with_user(self.manager)
        vendor, buyer = self.vendor_line.id, self.buyer_line.id
        reason = "The vendor shipped late."
        self._refused(
            UserError,
            "is Submitted: .* Disputed",
            lambda: as_decider.action_amend_shares({vendor: 100, buyer: 0}, reason),
        )
        review.with_user(self.buyer).action_dispute("The vendor shipped late.")
        for shares, why, exception, text in (
            ({vendor: 100, buyer: 0}, "  ", UserError, "Say why"),
            ({vendor: 70, buyer: 20}, reason, ValidationError, "add up to 90.0%, not 100%"),
            (
                {vendor: 100, buyer: -10, self.named_line.id: 10},
                reason,
                ValidationError,
                "between 0 and 100%, not -10.0%",
            ),
            ({vendor: "most", buyer: 0}, reason, ValidationError, "percentages"),
            ({vendor: 60, buyer: 40}, reason, UserError, "unchanged"),
            ({self.wheels.id + 10**6: 100, vendor: 0, buyer: 0}, reason, UserError, "Only the proposed lines"),
        ):
            with self.subTest(shares=shares, reason=why):
                self._refused(
                    exception, text, lambda shares=shares, why=why: as_decider.action_amend_shares(shares, why)
                )
        # the ids a JSON client sends are strings
        as_decider.action_amend_shares({str(vendor): 100, str(buyer): 0}, reason)
        self.assertEqual((self.vendor_line.share, self.buyer_line.share), (100, 0))
        as_decider.action_uphold()
        self._refused(UserError, "is Upheld", lambda: as_decider.action_amend_shares({vendor: 50, buyer: 50}, reason))
