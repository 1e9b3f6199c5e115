from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import BackwardCase

PLANNED = "2026-06-01 07:00:00"


@tagged("post_install", "-at_install")
class TestReview(BackwardCase):
    """The next link supervises the previous one; responsibility is shared up the chain."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "bm_review_manager", groups="backward_management.backward_management_group_manager"
        )
        cls.policy = cls.env.ref("backward_management.penalty_policy_purchase")
        cls.policy.warning_first_offence = False
        cls.env.ref("backward_management.penalty_policy_production").warning_first_offence = False

    def _late_chain(self, hours_after=5):
        """The bike's MO (owned by production) waits for the wheels (Acme, the buyer); both late."""
        with freeze_time(PLANNED):
            order = self._order()
            bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
            bike.production_id.sudo().user_id = self.planner_user
            order.action_backward_plan()
        wheels = bike.upstream_link_ids.filtered(lambda link: link.upstream_id.product_id == self.wheel)
        output = bike.downstream_link_ids
        moment = output.date_deadline + timedelta(hours=hours_after)
        return order, wheels, output, moment

    def _watch(self):
        self.env["backward.watch"]._cron_backward_watch()

    def _open_review(self, link):
        """The review production opens from the late link."""
        return self.env["backward.review"].browse(link.with_user(self.planner_user).action_open_review()["res_id"])

    def _submit(self, review, statement):
        review.with_user(self.planner_user).write({"statement": statement})
        review.with_user(self.planner_user).action_submit()

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

    def test_a_link_that_recovers_carries_no_share(self):
        """Wheels 29 h late, the bike only 9: it won back 20 hours, so the wheels carry it all."""
        _order, wheels, output, moment = self._late_chain(hours_after=9)
        with freeze_time(moment):
            self._watch()
            self._set_lateness(wheels, 29)
            self._set_lateness(output, 9)
            reviewed = self.env["backward.review"].sudo().create({"link_id": output.id})
            proposed = reviewed._prepare_penalty_lines()
            self.assertEqual([line["link_id"] for line in proposed], [wheels.id])
            self.assertEqual(proposed[0]["share"], 100)

    def test_rounded_shares_still_add_up(self):
        """Shares are kept to the hundredth and add up to exactly 100%."""
        lines = [{"share": 83.333}, {"share": 16.667}, {"share": 0.0}]
        self.env["backward.review"]._round_shares(lines)
        self.assertEqual([line["share"] for line in lines], [83.33, 16.67, 0.0])

    def test_access_rights_per_role(self):
        """Each role may do its part of the workflow and nothing else."""
        _order, wheels, _output, moment = self._late_chain()
        outsider_company = self.env["res.company"].create({"name": "Elsewhere"})
        outsider = new_test_user(
            self.env,
            "bm_review_outsider",
            groups="backward_management.backward_management_group_manager",
            company_id=outsider_company.id,
            company_ids=[(6, 0, outsider_company.ids)],
        )
        portal = new_test_user(self.env, "bm_review_portal", groups="base.group_portal")
        with freeze_time(moment):
            self._watch()
            # the upstream side cannot open a review of its own late handover
            with self.assertRaises(AccessError):
                self.env["backward.review"].with_user(self.buyer).create({"link_id": wheels.id})
            review = self._open_review(wheels)
            # the upstream side reads it but neither edits nor deletes it
            self.assertTrue(review.with_user(self.buyer).read(["state"]))
            with self.assertRaises(AccessError):
                review.with_user(self.buyer).write({"statement": "Not my fault"})
            with self.assertRaises(AccessError):
                review.with_user(self.buyer).unlink()
            with self.assertRaises(AccessError):
                review.penalty_ids.with_user(self.buyer).write({"points": 0})
            self._submit(review, "Waited.")
            # only the upstream side answers
            with self.assertRaises(AccessError):
                review.with_user(self.planner_user).action_acknowledge()
            review.with_user(self.buyer).action_acknowledge()
            # users never decide
            with self.assertRaises(AccessError):
                review.with_user(self.planner_user).action_uphold()
            with self.assertRaises(AccessError):
                review.with_user(self.buyer).action_waive("no")
            # another company, and portal users, see nothing
            with self.assertRaises(AccessError):
                review.with_user(outsider).read(["state"])
            with self.assertRaises(AccessError):
                self.env["backward.review"].with_user(portal).search([])
            with self.assertRaises(AccessError):
                self.env["backward.penalty"].with_user(portal).search([])
            review.with_user(self.manager).action_uphold()
            # an approved penalty is neither edited nor deleted, even by a manager
            with self.assertRaisesText(UserError, "never changed"):
                review.penalty_ids.with_user(self.manager).write({"points": 1})
            with self.assertRaisesText(UserError, "never deleted"):
                review.penalty_ids.with_user(self.manager).unlink()

    def test_a_penalised_manager_cannot_decide(self):
        """A manager penalised by a review (as a member of the late team) cannot uphold it."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            review = self._open_review(wheels)
            review.penalty_ids.write({"party_type": "user", "user_id": self.manager.id, "vendor_id": False})
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
            self._submit(review, "Waited.")
            review.with_user(self.buyer).action_acknowledge()
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
            with self.assertRaisesText(UserError, "Only a Backward Management manager"):
                penalty.with_user(self.planner_user).action_reverse("mistake")
            reversal = penalty.with_user(self.manager).action_reverse("The vendor was not told the new date.")
            self.assertEqual(reversal.points, -penalty.points)
            self.assertEqual(reversal.reversed_id, penalty)
            self.assertEqual(self.vendor.backward_penalty_points, 0)
            with self.assertRaisesText(UserError, "reversed already"):
                penalty.with_user(self.manager).action_reverse("again")

    def test_request_status_reaches_the_upstream_owner(self):
        """Production asks where the wheels stand: the buyer gets it on the purchase order."""
        with freeze_time(PLANNED):
            order, wheels, _output, _moment = self._late_chain()
            purchase = wheels.upstream_id.purchase_id.sudo()
            wheels.with_user(self.planner_user).action_request_status()
            self.assertTrue(purchase.activity_ids.filtered(lambda a: a.user_id == self.buyer))
            self.assertIn("asks where", purchase.message_ids[:1].body)
            self.assertIn(self.planner_user.partner_id, purchase.message_follower_ids.partner_id)
            with self.assertRaises(AccessError):
                wheels.with_user(self.buyer).action_request_status()
            self.assertTrue(order)

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

    def test_one_click_from_the_downstream_document(self):
        """On the bike's MO, 'Review Late Input' opens the review of the late wheels."""
        _order, wheels, _output, moment = self._late_chain()
        with freeze_time(moment):
            self._watch()
            production = wheels.downstream_id.production_id.with_user(self.planner_user)
            self.assertTrue(production.backward_has_late_input)
            action = production.action_backward_review_late_input()
            if action["res_model"] == "backward.link":
                self.assertIn(wheels.id, action["domain"][0][2])
                action = wheels.with_user(self.planner_user).action_open_review()
            review = self.env["backward.review"].browse(action["res_id"])
            self.assertEqual(review.downstream_user_id, self.planner_user)
            self.assertEqual(review.state, "draft")

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
