"""A re-promise is agreed, not suffered: the downstream side consents or the managers settle it.

At the default settings, through Odoo's real flow: the salesperson confirms, the three
parties agree the plan, the buyer confirms the purchases on the receive-by their RFQs asked
for, the plan (with Odoo's receipts) is agreed again; then the vendor moves the wheels'
arrival (the buyer writes it on the purchase line) and the watch runs as its scheduled
actions do. Within the slack the re-promise is accepted at once; past it, the receipt's
owner accepts it (the plan hands over at the new date, the chain below moves, the order's
agreement stands) or refuses it (the managers of both sides are asked to settle it).
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import WatchDefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00
CONSENT = "backward_watch.mail_activity_type_repromise_consent"
REFUSED = "backward_watch.mail_activity_type_repromise_refused"


@tagged("post_install", "-at_install")
class TestRepromise(WatchDefaultsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receiver = new_test_user(
            cls.env,
            "bm_receiver",
            groups="stock.group_stock_user,backward_plan.backward_management_group_user",
        )
        cls.manager = new_test_user(
            cls.env, "bm_repromise_manager", groups="backward_plan.backward_management_group_manager"
        )
        cls.outsider = new_test_user(cls.env, "bm_outsider", groups="base.group_user")

    # ------------------------------------------------------------------ helpers

    def _agreed_order(self):
        """Confirmed and agreed, purchases confirmed on the receive-by their RFQs asked for,
        agreed again with the receipts Odoo inserted, watched: on plan."""
        order = self._order(commitment=PROMISE)
        self._agree(order)
        for purchase in order.sudo().backward_deadline_ids.purchase_id:
            purchase.with_user(self.buyer).button_confirm()
        self._run_watch()
        self._agree(order)
        self._run_watch()
        link = self._wheel_link(order)
        self.assertEqual(link.state, "open")
        self.assertFalse(link.repromise_ids)
        # the receipt of the wheels answers to its owner: the one who consents
        link.downstream_id.picking_id.with_user(self.stock_user).user_id = self.receiver
        order.sudo().action_backward_plan()
        self.assertEqual(link.downstream_user_id, self.receiver)
        return order, link

    def _wheel_link(self, order):
        step = self._step(order, "purchase", self.wheel)
        return step.downstream_link_ids.filtered(lambda link: link.state != "cancel")

    def _vendor_moves(self, link, delta):
        """The vendor announces the wheels ``delta`` later: the buyer writes it on the line."""
        line = link.upstream_id.purchase_line_id
        line.with_user(self.buyer).date_planned = line.date_planned + delta
        self._run_watch()
        return link.repromise_ids.sorted("id")[-1:]

    def _past_the_slack(self, link):
        # the vendor's new date is the expectation: ten days after the receive-by it took
        # are well past a purchase's slack
        return timedelta(days=10)

    def _consents(self, repromise):
        return repromise.activity_ids.filtered(lambda activity: activity.activity_type_id == self.env.ref(CONSENT))

    # ------------------------------------------------------------------ the tests

    @freeze_time(T0)
    def test_a_repromise_within_the_slack_is_accepted_and_recorded(self):
        order, link = self._agreed_order()
        deadline = link.date_deadline
        repromise = self._vendor_moves(link, timedelta(hours=1))
        self.assertEqual(repromise.state, "absorbed")
        self.assertGreater(repromise.date_new, deadline)
        self.assertLessEqual(repromise.date_new, link.date_need)
        self.assertFalse(link.repromise_pending)
        self.assertFalse(self._consents(repromise), "nobody is asked")
        self.assertEqual(link.date_deadline, deadline, "the plan does not move")
        self.assertEqual(order.backward_plan_state, "agreed")

    @freeze_time(T0)
    def test_accepted_the_plan_hands_over_at_the_new_date(self):
        order, link = self._agreed_order()
        receipt = link.downstream_id
        old_deadline, old_start = link.date_deadline, receipt.date_start_deadline
        repromise = self._vendor_moves(link, self._past_the_slack(link))
        # waiting: the link says so, the receipt's owner is asked, with the effect shown
        self.assertEqual(repromise.state, "pending")
        self.assertTrue(link.repromise_pending)
        consent = self._consents(repromise)
        self.assertEqual(consent.user_id, self.receiver)
        self.assertIn("would start by", consent.note)
        self.assertGreaterEqual(repromise.effect_start, repromise.date_new)
        self.assertTrue(repromise.effect_delivery)
        self.assertEqual(link.date_deadline, old_deadline, "nothing moves before the consent")
        self.assertTrue(repromise.with_user(self.receiver).can_decide)
        self.assertFalse(repromise.with_user(self.buyer).can_decide)
        # accepted from the activity's record, as the receipt's owner
        repromise.with_user(self.receiver).action_accept()
        self.assertEqual(repromise.state, "accepted")
        self.assertEqual(repromise.decided_uid, self.receiver)
        self.assertFalse(self._consents(repromise), "the activity is done")
        self.assertFalse(link.repromise_pending)
        self.assertEqual(link.date_repromise_agreed, repromise.date_new)
        self.assertEqual(link.date_deadline, repromise.date_new, "the link hands over at the agreed date")
        self.assertEqual(repromise.date_deadline, old_deadline, "the history keeps the old one")
        self.assertEqual(receipt.date_start_deadline, repromise.effect_start)
        self.assertGreater(receipt.date_start_deadline, old_start, "the step it feeds starts later")
        # ten days late, the customer would be served late: every party agrees the new plan
        self.assertGreater(repromise.effect_customer_hours, 0)
        self.assertEqual(order.backward_plan_state, "proposed")
        order.with_user(self.salesperson).action_backward_agree_sales()
        order.with_user(self.planner_user).action_backward_agree_production()
        order.with_user(self.buyer).action_backward_agree_purchase()
        self.assertEqual(link.date_deadline_baseline, repromise.date_new, "the new agreed baseline")
        # Odoo's own dates follow the agreed plan
        for move in receipt.picking_id.move_ids:
            self.assertEqual(move.date_deadline, receipt.date_deadline)
        # the watch agrees: the wheels are expected on their (new) deadline
        self._run_watch()
        self.assertEqual(link.state, "open", (link.date_expected, link.date_deadline))
        # a further slip is a new re-promise
        again = self._vendor_moves(link, self._past_the_slack(link))
        self.assertNotEqual(again, repromise)
        self.assertEqual(again.state, "pending")

    @freeze_time(T0)
    def test_accepted_within_the_customer_s_promise_the_agreement_stands(self):
        """Just past the purchase's slack, the buffers further down absorb it: the receipt's
        owner agrees it alone, the baseline moves, the order stays agreed."""
        order, link = self._agreed_order()
        # the vendor's new date is the expectation: an office hour past the need
        line = link.upstream_id.purchase_line_id
        repromise = self._vendor_moves(link, link.date_need + timedelta(hours=2) - line.date_planned)
        self.assertEqual(repromise.state, "pending")
        self.assertEqual(repromise.effect_customer_hours, 0, "the customer is still served in time")
        repromise.with_user(self.receiver).action_accept()
        self.assertEqual(link.date_deadline, repromise.date_new)
        self.assertEqual(link.date_deadline_baseline, repromise.date_new, "the new agreed baseline")
        self.assertEqual(order.backward_plan_state, "agreed", "the order's agreement stands")
        receipt = link.downstream_id
        for move in receipt.picking_id.move_ids:
            self.assertEqual(move.date_deadline, receipt.date_deadline)
        self._run_watch()
        self.assertEqual(link.state, "open")

    def _accept_and_compare(self, slip, kept):
        """Accepted, the order is what its effect said: served then, feasible exactly when kept
        (``slip(link)``: how much later the vendor announces the wheels)."""
        order, link = self._agreed_order()
        self.assertTrue(order.backward_is_feasible)
        repromise = self._vendor_moves(link, slip(link))
        self.assertEqual(repromise.state, "pending")
        self.assertEqual(not repromise.effect_customer_hours, kept)
        repromise.with_user(self.receiver).action_accept()
        self.assertEqual(
            (order.backward_earliest_date, order.backward_lateness_hours, order.backward_is_feasible),
            (repromise.effect_delivery, repromise.effect_customer_hours, kept),
        )
        self.assertEqual(repromise.effect_feasible, kept)
        self.assertEqual(order.backward_plan_state, "agreed" if kept else "proposed")

    @freeze_time(T0)
    def test_accepted_within_the_promise_the_order_stays_feasible_as_shown(self):
        """The effect said the promise holds: accepted, the order is feasible, served as shown."""
        # past the purchase's slack, into the buffers below it: the vendor's date is the expectation
        self._accept_and_compare(
            lambda link: link.date_need + timedelta(hours=2) - link.upstream_id.purchase_line_id.date_planned,
            kept=True,
        )

    @freeze_time(T0)
    def test_accepted_past_the_promise_the_order_is_as_late_as_shown(self):
        """The effect said the customer would be served late: accepted, exactly that late."""
        self._accept_and_compare(self._past_the_slack, kept=False)

    @freeze_time(T0)
    def test_refused_the_managers_settle_it(self):
        order, link = self._agreed_order()
        old_deadline = link.date_deadline
        repromise = self._vendor_moves(link, self._past_the_slack(link))
        action = repromise.with_user(self.receiver).action_refuse()
        wizard = Form(self.env[action["res_model"]].with_user(self.receiver).with_context(**action["context"]))
        with self.assertRaises(AssertionError):
            wizard.save()  # a refusal says why
        wizard.note = "The line stops without wheels: find another vendor."
        wizard.save().action_confirm()
        self.assertEqual(repromise.state, "refused")
        self.assertEqual(repromise.decision_note, "The line stops without wheels: find another vendor.")
        self.assertFalse(link.repromise_pending)
        self.assertEqual(link.date_deadline, old_deadline, "refused: the plan does not move")
        settle = repromise.activity_ids.filtered(lambda activity: activity.activity_type_id == self.env.ref(REFUSED))
        self.assertIn(self.manager, settle.user_id, "no team: the backward managers settle it")
        self.assertFalse(self._consents(repromise))
        self.assertEqual(order.backward_plan_state, "agreed")
        # the receiver cannot take it back, nor refuse twice; a manager settles it by accepting
        with self.assertRaisesText(UserError, "not waiting for consent"):
            repromise.with_user(self.receiver).action_accept()
        with self.assertRaisesText(UserError, "settled by accepting"):
            repromise.with_user(self.manager)._refuse("again")
        self.assertTrue(repromise.with_user(self.manager).can_decide)
        repromise.with_user(self.manager).action_accept()
        self.assertEqual((repromise.state, repromise.decided_uid), ("accepted", self.manager))
        self.assertEqual(link.date_deadline, repromise.date_new)
        self.assertFalse(repromise.activity_ids, "the managers' activities are done")

    @freeze_time(T0)
    def test_a_later_repromise_supersedes_the_waiting_one(self):
        _order, link = self._agreed_order()
        first = self._vendor_moves(link, self._past_the_slack(link))
        second = self._vendor_moves(link, timedelta(days=1))
        self.assertNotEqual(first, second)
        self.assertEqual((first.state, second.state), ("superseded", "pending"))
        self.assertFalse(self._consents(first))
        self.assertTrue(self._consents(second))
        self.assertTrue(link.repromise_pending)
        with self.assertRaisesText(UserError, "not waiting for consent"):
            first.with_user(self.receiver).action_accept()

    @freeze_time(T0)
    def test_nobody_else_decides_and_nobody_forges_a_decision(self):
        """The upstream owner, an outsider and a client write are refused; nothing changes."""
        _order, link = self._agreed_order()
        repromise = self._vendor_moves(link, self._past_the_slack(link))
        deadline = link.date_deadline
        for user in (self.buyer, self.outsider, self.salesperson):
            with self.assertRaisesText(AccessError, "downstream owner"):
                repromise.with_user(user).action_accept()
            with self.assertRaisesText(AccessError, "downstream owner"):
                repromise.with_user(user)._refuse("no")
            with self.assertRaises(AccessError):
                repromise.with_user(user).write({"state": "accepted"})
            with self.assertRaises(AccessError):
                link.with_user(user).write({"date_repromise_agreed": repromise.date_new})
        with self.assertRaises(AccessError):
            self.env["backward.repromise"].with_user(self.receiver).create({"link_id": link.id, "state": "accepted"})
        with self.assertRaisesText(UserError, "Say why"):
            repromise.with_user(self.receiver)._refuse("  ")
        self.assertEqual(repromise.state, "pending")
        self.assertTrue(link.repromise_pending)
        self.assertEqual(link.date_deadline, deadline)
        self.assertFalse(link.date_repromise_agreed)
        # a backward manager may decide in the owner's place
        repromise.with_user(self.manager).action_accept()
        self.assertEqual(repromise.state, "accepted")
        with self.assertRaisesText(UserError, "not waiting for consent"):
            repromise.with_user(self.receiver).action_accept()

    def test_an_unanswered_repromise_is_escalated_once(self):
        with freeze_time(T0):
            _order, link = self._agreed_order()
            repromise = self._vendor_moves(link, self._past_the_slack(link))
            self._run_watch()
            self.assertFalse(repromise.escalated, "the receiver has a day to answer")
        settle = self.env.ref(REFUSED)
        with freeze_time(T0 + timedelta(days=2)):
            self._run_watch()
            self.assertTrue(repromise.escalated)
            self.assertEqual(repromise.state, "pending", "still theirs to decide, or the managers'")
            asked = repromise.activity_ids.filtered(lambda activity: activity.activity_type_id == settle)
            self.assertIn(self.manager, asked.user_id)
            self._run_watch()
            self.assertEqual(
                repromise.activity_ids.filtered(lambda activity: activity.activity_type_id == settle), asked, "once"
            )
            repromise.with_user(self.manager).action_accept()
            self.assertFalse(repromise.activity_ids, "settled: every activity done")

    @freeze_time(T0)
    def test_the_handover_closes_a_waiting_repromise(self):
        _order, link = self._agreed_order()
        repromise = self._vendor_moves(link, self._past_the_slack(link))
        purchase = link.upstream_id.purchase_id
        receipts = purchase.picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel"))
        for move in receipts.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipts.with_user(self.stock_user).button_validate()
        self._run_watch()
        self.assertEqual(repromise.state, "superseded")
        self.assertFalse(link.repromise_pending)
        self.assertFalse(self._consents(repromise))
        with self.assertRaisesText(UserError, "not waiting for consent"):
            repromise.with_user(self.manager).action_accept()
