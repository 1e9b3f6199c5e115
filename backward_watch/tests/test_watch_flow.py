"""The watch at the default settings, through Odoo's real flow: its signals are true.

The salesperson confirms the order, the parties agree the plan (the RFQs ask for the
receive-by), the buyer confirms the purchases (Odoo inserts the receipts, the chain is
re-planned), receipts are validated, manufacturing orders are
started and finished, the delivery is validated: at each moment the watch runs as its two
scheduled actions do, and nobody is warned of anything while the chain is on plan.
"""

from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import Form, new_test_user, tagged

from ..models import backward_watch as watch_module
from .common import WatchDefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00
THREAT_TYPES = (
    "backward_watch.mail_activity_type_handover_at_risk",
    "backward_watch.mail_activity_type_handover_late",
)
REASON_TYPE = "backward_watch.mail_activity_type_delay_reason"


@tagged("post_install", "-at_install")
class TestWatchFlow(WatchDefaultsCase):
    """No alarm on plan; a true alarm for a true slip, gone when it recovers."""

    # ------------------------------------------------------------------ helpers

    def _activities(self, *xmlids, record=None):
        types = self.env["mail.activity.type"].browse([self.env.ref(xmlid).id for xmlid in xmlids])
        domain = [("activity_type_id", "in", types.ids)]
        if record is not None:
            domain += [("res_model", "=", record._name), ("res_id", "=", record.id)]
        return self.env["mail.activity"].search(domain)

    def _assert_quiet(self, order, moment):
        """On plan: every live link open or handed over on time, no threat told to anyone."""
        noisy = self._links(order).filtered(lambda link: link.state not in ("open", "done"))
        self.assertFalse(
            noisy,
            f"{moment}: "
            + "; ".join(
                f"{link.name} is {link.state} (expected {link.date_expected}, deadline {link.date_deadline}, "
                f"need {link.date_need})"
                for link in noisy
            ),
        )
        self.assertFalse(self._activities(*THREAT_TYPES), f"{moment}: nobody is warned of a chain on plan")

    def _confirm_purchases(self, order):
        """The plan agreed, the RFQs ask for the receive-by: the buyer confirms them."""
        self._agree(order)
        purchases = order.sudo().backward_deadline_ids.purchase_id
        for purchase in purchases:
            purchase.with_user(self.buyer).button_confirm()
        return purchases

    def _receive(self, purchase):
        receipts = purchase.sudo().picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel"))
        for move in receipts.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        receipts.with_user(self.stock_user).button_validate()

    def _finish(self, production):
        production = production.with_user(self.planner_user)
        with Form(production) as form:
            form.qty_producing = production.product_qty
        production.button_mark_done()
        self.assertEqual(production.state, "done")

    def _deliver(self, order):
        delivery = order.sudo().picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel"))
        delivery.action_assign()
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        delivery.with_user(self.stock_user).button_validate()

    def _wheel_purchase_link(self, order):
        wheels = self._step(order, "purchase", self.wheel)
        return wheels.downstream_link_ids.filtered(lambda link: link.state != "cancel")

    # ------------------------------------------------------------------ the flow

    def test_a_chain_on_plan_raises_no_alarm_from_confirmation_to_delivery(self):
        """Confirmed, purchases confirmed, received, made and delivered on plan: never an alarm."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self.assertTrue(order.backward_is_feasible)
            self._run_watch()
            self._assert_quiet(order, "after confirmation")
            purchases = self._confirm_purchases(order)
            self.assertIn("receipt", self._links(order).downstream_id.mapped("kind"), "Odoo inserted the receipts")
            self._run_watch()
            self._assert_quiet(order, "after the buyer confirmed the purchases")
            self.assertFalse(order.backward_projected_late)
        for purchase in purchases.sorted(
            lambda po: self._step(order, "purchase").filtered(lambda d: d.purchase_id == po).date_deadline
        ):
            step = self._step(order, "purchase").filtered(lambda d, po=purchase: d.purchase_id == po)
            with freeze_time(step.date_deadline - timedelta(hours=1)):
                self._run_watch()
                self._assert_quiet(order, f"before {purchase.name} arrives")
                self._receive(purchase)
                self._run_watch()
                self._assert_quiet(order, f"{purchase.name} received")
        for product in (self.frame, self.bike):
            step = self._step(order, "production", product)
            with freeze_time(step.date_start_deadline):
                self._run_watch()
                self._assert_quiet(order, f"{product.name} due to start")
                step.production_id.with_user(self.planner_user).workorder_ids.button_start()
                self._run_watch()
                self._assert_quiet(order, f"{product.name} started")
            with freeze_time(step.date_deadline - timedelta(minutes=10)):
                self._finish(step.production_id)
                self._run_watch()
                self._assert_quiet(order, f"{product.name} made")
        delivery = self._step(order, "delivery")
        with freeze_time(delivery.date_deadline - timedelta(hours=1)):
            self._deliver(order)
            self._run_watch()
            self._assert_quiet(order, "delivered")
        links = self._links(order)
        self.assertEqual(set(links.mapped("state")), {"done"}, "every handover on time")
        self.assertEqual(self._step(order, "customer").state, "done")
        report = self.env["backward.ontime.report"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(set(report.mapped("on_time_rate")), {100.0})
        self.assertFalse(self._activities(REASON_TYPE), "no delay to explain")

    def test_a_slip_past_the_slack_warns_the_buyer_once_with_what_is_at_stake(self):
        """The vendor ships six days late: at risk, one activity, the MO and the customer named."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            purchases = self._confirm_purchases(order)
            self._run_watch()
            link = self._wheel_purchase_link(order)
            purchase = link.upstream_id.purchase_id
            line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
            line.date_planned += timedelta(days=6)
            self._run_watch()
            self.assertEqual(link.state, "at_risk")
            self.assertGreater(link.date_expected, link.date_need)
            at_risk = self._activities(THREAT_TYPES[0], record=purchase)
            self.assertEqual(len(at_risk), 1)
            self.assertEqual(at_risk.user_id, self.buyer)
            bike = self._step(order, "production", self.bike)
            self.assertEqual(link.downstream_id.kind, "receipt", "the PO's direct downstream is its receipt")
            for text in (bike.name, order.name, "Velo Shop"):
                self.assertIn(text, at_risk.note)
                self.assertIn(text, purchase.backward_alert_html)
            self.assertNotIn(link.downstream_id.name, purchase.backward_alert_html)
            # the delay carries down: the steps after it are projected late, their owners warned too
            told = self._activities(*THREAT_TYPES)
            warned = told.filtered(lambda activity: activity.res_model == "mrp.production").mapped("res_id")
            self.assertIn(bike.production_id.id, warned)
            self._run_watch()
            self.assertEqual(self._activities(*THREAT_TYPES), told, "told once")
            self.assertEqual(len(purchases), 2)

    def test_an_absorbed_slip_disturbs_nobody(self):
        """Two working hours late, within the purchase's buffer: absorbed, no activity."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            self._run_watch()
            link = self._wheel_purchase_link(order)
            line = link.upstream_id.purchase_line_id
            line.date_planned += timedelta(hours=2)
            self._run_watch()
            self.assertEqual(link.state, "absorbed")
            self.assertGreater(link.date_expected, link.date_deadline)
            self.assertLessEqual(link.date_expected, link.date_need)
            self.assertGreater(link.delay_hours, 0)
            self.assertLessEqual(link.delay_hours, link.slack_hours)
            self.assertFalse(self._activities(*THREAT_TYPES))
            self.assertEqual(link.upstream_id.purchase_id.backward_alert_level, "absorbed")
            self.assertFalse(order.backward_projected_late)

    def test_recovery_closes_the_activity_and_a_new_expectation_updates_it(self):
        """At risk, then later still (the note follows), then back on plan: open, activity done."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            self._run_watch()
            link = self._wheel_purchase_link(order)
            line = link.upstream_id.purchase_line_id
            promised = line.date_planned
            line.date_planned = promised + timedelta(days=6)
            self._run_watch()
            activity = link.activity_id
            self.assertTrue(activity)
            first_note = activity.note
            line.date_planned = promised + timedelta(days=7)
            self._run_watch()
            self.assertEqual(link.activity_id, activity, "the same activity, updated")
            self.assertNotEqual(activity.note, first_note)
            self.assertIn(link.env["backward.notifier"]._format(link.date_expected), activity.note)
            line.date_planned = promised
            self._run_watch()
            self.assertEqual(link.state, "open")
            self.assertFalse(activity.exists(), "marked done")
            self.assertFalse(self._activities(*THREAT_TYPES))
            done = link.upstream_id.purchase_id.message_ids.filtered(lambda m: "Back on plan" in (m.body or ""))
            self.assertTrue(done, "the feedback says why it was closed")

    def test_a_passed_deadline_is_late_and_asks_why_at_once(self):
        """Not received two hours after its deadline: late, the buyer asked for the reason, once."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._confirm_purchases(order)
            self._run_watch()
            link = self._wheel_purchase_link(order)
        with freeze_time(link.date_deadline + timedelta(hours=2)):
            self._run_watch()
            self.assertEqual(link.state, "late")
            self.assertAlmostEqual(link.lateness_hours, 2, places=2)
            purchase = link.upstream_id.purchase_id
            reason = self._activities(REASON_TYPE, record=purchase)
            self.assertEqual(len(reason), 1)
            self.assertEqual(reason.user_id, self.buyer)
            self.assertEqual(link.reason_activity_id, reason)
            self.assertEqual(len(self._activities(THREAT_TYPES[1], record=purchase)), 1)
        with freeze_time(link.date_deadline + timedelta(hours=5)):
            self._receive(purchase)
            self._run_watch()
            self.assertEqual(link.state, "done_late")
            self.assertEqual(len(self._activities(REASON_TYPE, record=purchase)), 1, "asked once, not at the handover")
            self.assertFalse(self._activities(*THREAT_TYPES, record=purchase), "handed over: the late activity is done")

    def test_the_owner_of_a_manufacturing_order_without_responsible_is_told(self):
        """No Responsible: the work center's owner answers, then its team's manager, and is told."""
        foreman = self.env["res.users"].create({"name": "Foreman", "login": "bm_foreman"})
        self.assembly.backward_owner_id = foreman
        manager = self.env["res.users"].create({"name": "Plant Manager", "login": "bm_plant_manager"})
        self.company.backward_production_owner_id = manager
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            bike, frame = self._step(order, "production", self.bike), self._step(order, "production", self.frame)
            self.assertFalse(bike.production_id.user_id)
            self.assertEqual((bike.user_id, bike.owner_source), (foreman, "workcenter"))
            self.assertEqual((frame.user_id, frame.owner_source), (manager, "manager"))
            self.assertEqual(bike.downstream_link_ids.upstream_user_id, foreman)
            team_lead = self.env["res.users"].create({"name": "Welding Lead", "login": "bm_welding_lead"})
            self.welding.backward_team_id = self.env["backward.team"].create(
                {"name": "Welding", "manager_id": team_lead.id}
            )
            order.action_backward_plan()
            self.assertEqual((frame.user_id, frame.owner_source), (team_lead, "team"))
        with freeze_time(frame.date_deadline + timedelta(hours=1)):
            self._run_watch()
            production = bike.production_id.with_user(self.planner_user)
            self.assertIn("Welding Lead (Manager of the work center", production.backward_inputs_alert_html)
            late = self._activities(THREAT_TYPES[1], record=frame.production_id)
            self.assertEqual(late.user_id, team_lead, "someone is told")


@tagged("post_install", "-at_install")
class TestWatchMechanics(WatchDefaultsCase):
    """The two scheduled actions, the states of documents, the stored copies kept true."""

    def test_the_watch_evaluates_once_and_the_owners_are_told_in_chunks(self):
        """The watch wakes the second action; that one tells a chunk per call, never re-evaluating all."""
        watch = self.env["backward.watch"]
        with freeze_time(T0):
            first = self._order(commitment=datetime(2026, 6, 5, 15, 0))
            second = self._order(commitment=datetime(2026, 6, 4, 15, 0))
        tell = self.env.ref("backward_watch.ir_cron_backward_tell")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", tell.id)])
        with freeze_time(T0 + timedelta(hours=2)):
            self.assertEqual(watch._cron_backward_watch(), 0, "one pass, nothing left for itself")
            self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", tell.id)]), triggers)
            pending = watch._count_pending()
            self.assertGreater(pending, 2)
            evaluated = []
            original = type(watch)._evaluate

            def counting(model, deadline_ids=None, **kwargs):
                evaluated.append(deadline_ids)
                return original(model, deadline_ids, **kwargs)

            links = self._links(first | second)
            with (
                patch.object(type(watch), "_evaluate", counting),
                patch.object(watch_module, "CHUNK", 2),
                # links with nothing to tell are recorded by thousands a call: none here, so
                # that every link waits for a chunk of its own
                patch.object(watch_module, "QUIET_CHUNK", 0),
            ):
                remaining = watch._cron_backward_tell()
                self.assertLessEqual(len(links.filtered("notified_state")), 2, "a chunk of alerts per call")
                self.assertGreater(remaining, 0, "Odoo calls it again while work remains")
                for _call in range(50):
                    if not watch._cron_backward_tell():
                        break
            self.assertEqual(watch._count_pending(), 0)
            self.assertNotIn(None, evaluated, "the second action never evaluates everything again")
            self.assertTrue((first | second).mapped("backward_projected_date"))
            # a second pass with nothing new tells nothing
            activities = self.env["mail.activity"].search_count([])
            self.assertEqual(watch._cron_backward_watch(), 0)
            self.assertEqual(watch._count_pending(), 0)
            self.assertEqual(self.env["mail.activity"].search_count([]), activities)

    def test_a_partial_receipt_with_its_backorder_cancelled_is_done_for_the_plan_and_the_watch(self):
        """The state of a purchase is mapped once: received in part, the rest cancelled, it is done."""
        with freeze_time(T0):
            order = self._order(quantity=2, commitment=PROMISE)
            purchase = order.sudo().backward_deadline_ids.purchase_id.filtered(lambda po: po.partner_id == self.vendor)
            purchase.with_user(self.buyer).button_confirm()
            receipt = purchase.picking_ids
            receipt.move_ids.quantity = 3
            receipt.move_ids.picked = True
            backorder_wizard = receipt.with_user(self.stock_user).button_validate()
            Form.from_action(self.env, backorder_wizard).save().process_cancel_backorder()
            step = self._step(order, "purchase", self.wheel)
            line = step.purchase_line_id
            self.assertLess(line.qty_received, line.product_qty, "received in part")
            self.assertEqual(step.state, "done", "as the plan reads it")
            for _pass in range(2):
                self._run_watch()
                self.assertEqual(step.state, "done", "as the watch reads it, pass after pass")
            order.action_backward_plan()
            self.assertEqual(step.state, "done")

    def test_stored_copies_follow_a_link_rewritten_in_bulk(self):
        """A link's owner changes at a re-plan: the copies a re-promise stores follow."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self._agree(order)
            purchase = order.sudo().backward_deadline_ids.purchase_id.filtered(lambda po: po.partner_id == self.vendor)
            purchase.with_user(self.buyer).button_confirm()
            self._run_watch()
            link = self._step(order, "purchase", self.wheel).downstream_link_ids.filtered(
                lambda link: link.state != "cancel"
            )
            purchase.order_line.filtered(lambda l: l.product_id == self.wheel).date_planned += timedelta(days=6)
            self._run_watch()
            repromise = link.repromise_ids
            self.assertEqual(repromise.upstream_user_id, self.buyer)
            other_buyer = new_test_user(
                self.env, "bm_other_buyer", groups="purchase.group_purchase_user,stock.group_stock_user"
            )
            purchase.user_id = other_buyer
            order.action_backward_plan()
            self.assertEqual(link.upstream_user_id, other_buyer, "rewritten in bulk by the planner")
            self.env.flush_all()
            self.env.invalidate_all()
            self.assertEqual(repromise.upstream_user_id, other_buyer)
            self.env.cr.execute("SELECT upstream_user_id FROM backward_repromise WHERE id = %s", [repromise.id])
            self.assertEqual(self.env.cr.fetchone()[0], other_buyer.id, "stored, not only cached")
