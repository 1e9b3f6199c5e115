from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import REVIEW_PLANNED as PLANNED
from .common import ReviewCase


@tagged("post_install", "-at_install")
class TestReview(ReviewCase):
    """The next link supervises the previous one; responsibility is shared up the chain."""

    def test_the_downstream_owner_reviews_with_the_policy_proposal(self):
        """Production opens a review of the late wheels; the policy proposes the vendor's points."""
        order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            self.assertEqual(wheels.state, "late")
            self.assertEqual(wheels.downstream_user_id, self.planner_user)
            action = wheels.with_user(self.planner_user).action_open_review()
            review = self.env["backward.review"].browse(action["res_id"])
            self.assertEqual(review.state, "draft")
            self.assertEqual(review.link_id, wheels)
            self.assertEqual(review.penalty_ids.vendor_id, self.vendor)
            self.assertEqual(review.penalty_ids.share, 100)
            days = wheels.lateness_hours / 24
            self.assertAlmostEqual(review.penalty_ids.points, max(1, min(20, 2 * days)), places=1)
            self.assertEqual(order, review.sale_order_id)

    def test_the_whole_workflow_to_the_ledger(self):
        """Submitted, acknowledged upstream, upheld by a manager: the penalty is in the ledger."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            as_downstream = review.with_user(self.planner_user)
            with self.assertRaisesText(UserError, "Say what the late handover cost"):
                as_downstream.action_submit()
            as_downstream.statement = "The assembly line waited half a shift."
            as_downstream.action_submit()
            self.assertEqual(review.state, "submitted")
            answer = review.activity_ids.filtered(lambda a: a.user_id == self.buyer)
            self.assertTrue(answer, "the upstream owner is asked to answer")
            review.with_user(self.buyer).action_acknowledge()
            self.assertEqual(review.state, "acknowledged")
            self.assertFalse(review.activity_ids.filtered(lambda a: a.user_id == self.buyer))
            review.with_user(self.manager).action_uphold()
            self.assertEqual(review.state, "upheld")
            self.assertEqual(review.penalty_ids.state, "approved")
            self.assertEqual(review.penalty_ids.approved_by_id, self.manager)
            ledger = self.env["backward.penalty"].search(
                [("vendor_id", "=", self.vendor.id), ("state", "=", "approved")]
            )
            self.assertEqual(ledger, review.penalty_ids)
            self.assertEqual(self.vendor.backward_penalty_points, ledger.points)
            self.env.cr.precommit.run()  # tracking is written when the transaction ends
            tracked = review.message_ids.tracking_value_ids.mapped("field_id.name")
            self.assertIn("state", tracked)
            review.with_user(self.manager).action_close()
            self.assertEqual(review.state, "closed")

    def test_dispute_and_waiver_need_their_words(self):
        """A dispute says why; a waiver says why; waived penalties are dropped."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            self._submit(review, "Half a shift lost.")
            with self.assertRaisesText(UserError, "needs its explanation"):
                review.with_user(self.buyer).action_dispute("  ")
            review.with_user(self.buyer).action_dispute("The vendor's truck broke down: a supplier delay.")
            self.assertEqual(review.state, "disputed")
            with self.assertRaisesText(UserError, "needs the reason"):
                review.with_user(self.manager).action_waive("")
            review.with_user(self.manager).action_waive("A breakdown nobody could foresee.")
            self.assertEqual(review.state, "waived")
            self.assertEqual(review.penalty_ids.state, "dropped")
            self.assertFalse(self.vendor.backward_penalty_points)

    def _set_lateness(self, link, hours):
        self.env.cr.execute("UPDATE backward_link SET lateness_hours = %s WHERE id = %s", [hours, link.id])
        link.invalidate_recordset(["lateness_hours"])

    def test_shared_responsibility_by_the_lateness_each_added(self):
        """Wheels 5 h late, the bike 12 h late: the vendor answers for 5/12, production for 7/12."""
        _order, wheels, output, moment = self._late_chain(hours_after=9)
        with freeze_time(moment):
            self._watch()
            self.assertEqual((wheels.state, output.state), ("late", "late"))
            self.assertTrue(output.caused_upstream)
            self.assertEqual(output.root_cause_id.upstream_id.kind, "purchase", "the first late link is a purchase")
            # the frame was a little late too; the wheels were the latest input
            frame = output.upstream_id.upstream_link_ids - wheels
            self._set_lateness(frame, 1)
            self._set_lateness(wheels, 5)
            self._set_lateness(output, 12)
            review = self.env["backward.review"].sudo().create({"link_id": output.id})
            review.action_propose_penalties()
            lines = {line.link_id: line for line in review.penalty_ids}
            self.assertAlmostEqual(lines[wheels].share, 41.67, places=2)
            self.assertAlmostEqual(lines[output].share, 58.33, places=2)
            self.assertEqual(lines[wheels].vendor_id, self.vendor)
            self.assertEqual(lines[output].user_id, self.planner_user)
            self.assertEqual(lines[output].lateness_hours, 7)
            self.assertEqual(review.share_total, 100)

    def test_a_link_that_recovers_takes_the_won_back_hours_off_the_links_before(self):
        """Wheels 29 h late, the bike only 9: it won back 20 hours, so the vendor carries 9 h, the MO nothing."""
        _order, wheels, output, moment = self._late_chain(hours_after=9)
        with freeze_time(moment):
            self._watch()
            self._set_lateness(wheels, 29)
            self._set_lateness(output, 9)
            reviewed = self.env["backward.review"].sudo().create({"link_id": output.id})
            proposed = reviewed._prepare_penalty_lines()
            self.assertEqual([line["link_id"] for line in proposed], [wheels.id])
            self.assertEqual(proposed[0]["share"], 100)
            self.assertEqual(proposed[0]["lateness_hours"], 9, "what reached the MO, not the vendor's 29 h")
            self.assertEqual(proposed[0]["points"], 1, "the policy's points for 9 h (its minimum), not for 29 h")

    def test_three_late_links_share_what_reached_the_end(self):
        """Tube 52 h late, frame 4 h (won back 48), bike 10 h (added 6): 4 h and 6 h of the 10."""
        _order, wheels, output, moment = self._late_chain(hours_after=9)
        with freeze_time(moment):
            self._watch()
            frame_step = output.upstream_id.upstream_link_ids.upstream_id.filtered(
                lambda step: step.product_id == self.frame
            )
            frame = frame_step.downstream_link_ids
            tube = frame_step.upstream_link_ids
            self.assertEqual((tube.state, frame.state, output.state), ("late", "late", "late"))
            self.env.cr.execute(
                "UPDATE backward_link SET upstream_user_id = %s WHERE id = %s", [self.manager.id, frame.id]
            )
            frame.invalidate_recordset()
            self._set_lateness(tube, 52)
            self._set_lateness(frame, 4)
            self._set_lateness(wheels, 1)
            self._set_lateness(output, 10)
            review = self.env["backward.review"].sudo().create({"link_id": output.id})
            self.assertEqual([link for link, _hours in review._late_chain()], [tube, frame, output])
            review.action_propose_penalties()
            lines = {line.link_id: line for line in review.penalty_ids}
            self.assertEqual(set(lines), {tube, output}, "the frame passed on only what it received")
            self.assertEqual(lines[tube].vendor_id, self.tube_vendor)
            self.assertEqual((lines[tube].lateness_hours, lines[tube].share), (4, 40))
            self.assertEqual((lines[output].lateness_hours, lines[output].share), (6, 60))
            self.assertEqual(lines[output].user_id, self.planner_user)
            self.assertIn(self.manager, review._penalised_users(), "the frame's owner stays a party of the chain")

    def test_a_penalised_manager_cannot_decide(self):
        """A manager named on a line neither moves it away nor upholds the review."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            review.penalty_ids.write({"party_type": "user", "user_id": self.manager.id, "vendor_id": False})
            with self.assertRaisesText(AccessError, "among those"):
                review.penalty_ids.with_user(self.manager).write({"user_id": self.salesperson.id})
            with self.assertRaisesText(AccessError, "among those"):
                review.penalty_ids.with_user(self.manager).write({"points": 0})
            with self.assertRaisesText(AccessError, "among those"):
                review.penalty_ids.with_user(self.manager).unlink()
            self.assertEqual(review.penalty_ids.user_id, self.manager)
            self._submit(review, "Waited.")
            review.with_user(self.buyer).action_acknowledge()
            with self.assertRaisesText(AccessError, "another manager must decide"):
                review.with_user(self.manager).action_uphold()
            self.assertEqual(review.penalty_ids.state, "proposed")

    def test_bad_inputs_are_refused_and_lose_nothing(self):
        """Not late, cancelled, twice, shares off, negative points: each a clear error."""
        order, wheels, output, moment = self._late_chain()
        with freeze_time(PLANNED), self.assertRaisesText(UserError, "is not late"):
            self.env["backward.review"].create({"link_id": wheels.id})
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            with self.assertRaisesText(UserError, "already under review"):
                self.env["backward.review"].with_user(self.planner_user).create({"link_id": wheels.id})
            with self.assertRaisesText(ValidationError, "cannot be negative"):
                review.penalty_ids.with_user(self.planner_user).write({"points": -3})
            with self.assertRaisesText(ValidationError, "between 0 and 100"):
                review.penalty_ids.with_user(self.planner_user).write({"share": 140})
            review.penalty_ids.with_user(self.planner_user).write({"share": 60})
            with self.assertRaisesText(ValidationError, "add up to 60.0%"):
                self._submit(review, "Waited.")
            self.assertEqual(review.state, "draft", "nothing lost: the reviewer corrects the shares")
            review.penalty_ids.with_user(self.planner_user).write({"share": 100})
            self._submit(review, "Waited.")
            review.with_user(self.buyer).action_acknowledge()
            review.penalty_ids.sudo().write({"share": 60})  # the decision still checks what it approves
            with self.assertRaisesText(ValidationError, "add up to 60.0%"):
                review.with_user(self.manager).action_uphold()
            self.assertEqual(review.state, "acknowledged", "nothing lost: the review waits for a correct decision")
        order.with_context(disable_cancel_warning=True).action_cancel()
        with self.assertRaisesText(UserError, "is cancelled"):
            self.env["backward.review"].create({"link_id": output.id})

    def test_a_correction_is_a_reversal_with_its_reason(self):
        """An approved penalty is corrected by a reversing line; the ledger nets to zero."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            self._submit(review, "Waited.")
            review.with_user(self.buyer).action_acknowledge()
            review.with_user(self.manager).action_uphold()
            penalty = review.penalty_ids
            with self.assertRaisesText(UserError, "Say why"):
                penalty.with_user(self.manager).action_reverse("")
            with self.assertRaisesText(AccessError, "Only a Backward Management manager"):
                penalty.with_user(self.planner_user).action_reverse("mistake")
            reversal = penalty.with_user(self.manager).action_reverse("The vendor was not told the new date.")
            self.assertEqual(reversal.points, -penalty.points)
            self.assertEqual(reversal.reversed_id, penalty)
            self.assertEqual(self.vendor.backward_penalty_points, 0)
            with self.assertRaisesText(UserError, "reversed already"):
                penalty.with_user(self.manager).action_reverse("again")

    def test_a_first_offence_is_warned_once_and_a_reversed_one_does_not_count(self):
        """The vendor's first late handover is a warning; the next costs points; once the
        warning is reversed, the vendor is a first offender again."""
        self.env.ref("backward_review.penalty_policy_purchase").warning_first_offence = True
        _order, wheels, output, moment = self._late_chain(hours_after=9)
        with freeze_time(moment):
            self._watch()
            first = self._open_review(wheels)
            warning = first.penalty_ids
            self.assertEqual((warning.vendor_id, warning.is_warning, warning.points), (self.vendor, True, 0))
            self._submit(first, "Waited.")
            first.with_user(self.buyer).action_acknowledge()
            first.with_user(self.manager).action_uphold()
            self.assertEqual(warning.state, "approved")
            frame = output.upstream_id.upstream_link_ids - wheels
            self._set_lateness(frame, 1)
            self._set_lateness(wheels, 5)
            self._set_lateness(output, 12)
            second = self.env["backward.review"].sudo().create({"link_id": output.id})
            second.action_propose_penalties()
            vendor_line = second.penalty_ids.filtered(lambda line: line.vendor_id == self.vendor)
            self.assertFalse(vendor_line.is_warning, "warned once already")
            self.assertGreater(vendor_line.points, 0)
            warning.with_user(self.manager).action_reverse("The vendor was never told the date.")
            second.action_propose_penalties()
            vendor_line = second.penalty_ids.filtered(lambda line: line.vendor_id == self.vendor)
            self.assertTrue(vendor_line.is_warning, "a reversed warning is no offence")
            self.assertEqual(vendor_line.points, 0)

    def test_request_status_reaches_the_upstream_owner(self):
        """Production asks where the wheels stand: the buyer gets it on the purchase order."""
        with freeze_time(PLANNED):
            _order, wheels, _output, _moment = self._late_chain()
            purchase = wheels.upstream_id.purchase_id.sudo()
            wheels.with_user(self.planner_user).action_request_status()
            self.assertTrue(purchase.activity_ids.filtered(lambda a: a.user_id == self.buyer))
            self.assertIn("asks where", purchase.message_ids[:1].body)
            self.assertIn(self.planner_user.partner_id, purchase.message_follower_ids.partner_id)
            with self.assertRaises(AccessError):
                wheels.with_user(self.buyer).action_request_status()

    def test_the_watch_opens_reviews_when_set(self):
        """With automatic reviews, a handover done late gets a draft review for the downstream owner."""
        self.company.backward_review_auto = True
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            purchase = wheels.upstream_id.purchase_id.sudo()
            purchase.button_confirm()
            receipt = purchase.picking_ids
            receipt.move_ids.quantity = 2
            receipt.move_ids.picked = True
            receipt.button_validate()
            self._watch()
            link = wheels.upstream_id.downstream_link_ids.filtered(lambda link: link.state == "done_late")
            self.assertTrue(link)
            self.assertEqual(len(link.review_ids), 1)
            self.assertEqual(link.review_ids.state, "draft")
            self._watch()
            self.assertEqual(len(link.review_ids), 1, "a second pass opens nothing more")

    def test_review_late_input_from_the_downstream_document(self):
        """The MO waits for two late inputs: it lists them; the delivery waits for one: one click opens it."""
        order, wheels, output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            production = wheels.downstream_id.production_id.with_user(self.planner_user)
            self.assertTrue(production.backward_has_late_input)
            action = production.action_backward_review_late_input()
            frame = wheels.downstream_id.upstream_link_ids - wheels
            self.assertEqual(action["res_model"], "backward.link")
            self.assertEqual(set(action["domain"][0][2]), {wheels.id, frame.id})
            self.assertFalse(self.env["backward.review"].search([("link_id", "in", (wheels | frame).ids)]))
            delivery = output.downstream_id.picking_id
            self.assertEqual(output.downstream_user_id, self.salesperson)
            action = delivery.with_user(self.salesperson).action_backward_review_late_input()
            self.assertEqual(action["res_model"], "backward.review")
            review = self.env["backward.review"].browse(action["res_id"])
            self.assertEqual((review.link_id, review.state), (output, "draft"))
            self.assertEqual(review.sale_order_id, order)

    def test_the_downstream_owner_is_told_once(self):
        """Production hears that the wheels it waits for are late, once whatever the passes."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            self._watch()
            told = self.env["mail.message"].search(
                [
                    ("model", "=", "backward.link"),
                    ("res_id", "=", wheels.id),
                    ("partner_ids", "in", self.planner_user.partner_id.ids),
                ]
            )
            self.assertEqual(len(told), 1)
            self.assertIn("Late", told.subject)
