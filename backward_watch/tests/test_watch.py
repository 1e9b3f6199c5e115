from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import datetime as safe_eval_datetime
from odoo.tools.safe_eval import safe_eval

from odoo.addons.backward_plan.scheduling import to_timestamp

from .common import WatchCase


@tagged("post_install", "-at_install")
class TestWatch(WatchCase):
    """Links follow reality; owners are warned once; delays are explained."""

    def setUp(self):
        super().setUp()
        self.watch = self.env["backward.watch"]

    def _run(self):
        return self._run_watch()

    def _confirmed_order(self, **kwargs):
        """An order whose plan is agreed and whose wheels are ordered from Acme on the
        receive-by the RFQ asked for (the purchase confirmed)."""
        order = self._order(**kwargs)
        self._agree(order)
        purchase = order.sudo().backward_deadline_ids.purchase_id.filtered(lambda po: po.partner_id == self.vendor)
        purchase.button_confirm()
        return order, purchase

    def _wheel_link(self, order):
        wheel = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        return wheel.downstream_link_ids.filtered(lambda link: link.state != "cancel")

    def _activities(self, record, xmlid):
        return record.activity_ids.filtered(lambda activity: activity.activity_type_id == self.env.ref(xmlid))

    @freeze_time("2026-06-01 07:00:00")
    def test_an_order_on_plan_has_open_links_and_warns_nobody(self):
        """Right after planning nothing is at risk; two passes create no activity."""
        order = self._order()
        links = order.backward_deadline_ids.downstream_link_ids
        activities = self.env["mail.activity"].search_count([])
        self._run()
        self._run()
        self.assertEqual(set(links.mapped("state")), {"open"})
        self.assertEqual(self.env["mail.activity"].search_count([]), activities)
        self.assertFalse(order.backward_projected_late)
        self.assertTrue(order.backward_projected_date)
        self.assertLessEqual(order.backward_projected_date, order.commitment_date)

    @freeze_time("2026-06-01 07:00:00")
    def test_a_delay_within_the_buffer_is_absorbed(self):
        """The vendor is 4 hours late: past the handover deadline, absorbed by the 8 h buffer."""
        order, purchase = self._confirmed_order()
        link = self._wheel_link(order)
        line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
        line.date_planned += timedelta(hours=4)  # the vendor ships four hours later than planned
        self._run()
        self.assertEqual(link.state, "absorbed")
        self.assertTrue(link.is_absorbed)
        self.assertFalse(link.endangers_promise)
        self.assertFalse(order.backward_projected_late, "the buffer absorbs it: the customer is not threatened")
        self.assertEqual(purchase.backward_alert_level, "absorbed")

    @freeze_time("2026-06-01 07:00:00")
    def test_a_vendor_repromise_past_the_slack(self):
        """The vendor moves the date five days past the need: everyone concerned hears of it once."""
        order, purchase = self._confirmed_order()
        link = self._wheel_link(order)
        line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
        line.date_planned += (link.date_need - link.date_deadline) + timedelta(days=5)
        self._run()
        self.assertEqual(link.state, "at_risk")
        self.assertFalse(link.is_absorbed)
        # expected when the vendor says (in office hours)
        self.assertGreater(link.date_expected, link.date_need)
        key = (self.office.id, False)
        office = self.office._backward_work_calendars({key}, date(2026, 5, 1), date(2026, 7, 31))[key]
        self.assertEqual(to_timestamp(link.date_expected), office.ceil(to_timestamp(line.date_planned)))
        self.assertEqual(link.upstream_id.date_expected, link.date_expected)
        # the re-promise is recorded with both dates, and the buyer is asked why
        self.assertEqual(len(link.repromise_ids), 1)
        self.assertEqual(link.repromise_ids.date_new, link.date_expected)
        self.assertEqual(link.repromise_ids.date_old, link.date_deadline)
        self.assertTrue(self._activities(purchase, "backward_watch.mail_activity_type_delay_reason"))
        # purchasing sees which downstream deadline the late PO endangers
        at_risk = self._activities(purchase, "backward_watch.mail_activity_type_handover_at_risk")
        self.assertEqual(len(at_risk), 1)
        self.assertEqual(at_risk.user_id, self.buyer)
        # through the receipt, the manufacturing order that waits for the wheels
        bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
        self.assertEqual(link.downstream_id.kind, "receipt")
        self.assertIn(bike.name, at_risk.note)
        self.assertIn(order.name, at_risk.note)
        self.assertIn("Velo Shop", purchase.backward_alert_html)
        # the projection passes the promise: the salesperson is warned
        self.assertTrue(order.backward_projected_late)
        self.assertTrue(link.endangers_promise)
        self.assertTrue(self._activities(order, "backward_watch.mail_activity_type_delivery_at_risk"))
        # the downstream owner was told (an inbox notification on the link)
        self.assertTrue(link.message_ids.filtered(lambda m: "Re-promised" in (m.body or "")))
        # a second pass tells nobody twice
        counts = (
            len(purchase.activity_ids),
            len(order.activity_ids),
            len(link.repromise_ids),
            len(link.message_ids),
        )
        self._run()
        self.assertEqual(
            (
                len(purchase.activity_ids),
                len(order.activity_ids),
                len(link.repromise_ids),
                len(link.message_ids),
            ),
            counts,
        )

    @freeze_time("2026-06-01 07:00:00")
    def test_recovery_closes_the_warning(self):
        """When the vendor comes back in time, the at-risk activity is marked done."""
        order, purchase = self._confirmed_order()
        link = self._wheel_link(order)
        line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
        promised = line.date_planned
        line.date_planned += (link.date_need - link.date_deadline) + timedelta(days=2)
        self._run()
        activity = link.activity_id
        self.assertTrue(activity)
        line.date_planned = promised
        self._run()
        self.assertEqual(link.state, "open")
        self.assertFalse(activity.exists(), "done activities leave the list of planned ones")
        self.assertFalse(order.backward_projected_late)
        self.assertFalse(self._activities(order, "backward_watch.mail_activity_type_delivery_at_risk"))

    def test_a_deadline_passing_without_handover_is_late(self):
        """Days later, the wheels are not received: the link is late, its owner warned once."""
        with freeze_time("2026-06-01 07:00:00"):
            order, purchase = self._confirmed_order()
            link = self._wheel_link(order)
        with freeze_time(link.date_deadline + timedelta(hours=3)):
            self._run()
            self.assertEqual(link.state, "late")
            self.assertAlmostEqual(link.lateness_hours, 3, places=1)
            late = self._activities(purchase, "backward_watch.mail_activity_type_handover_late")
            self.assertEqual(len(late), 1)
            self._run()
            self.assertEqual(
                len(self._activities(purchase, "backward_watch.mail_activity_type_handover_late")),
                1,
            )

    def test_late_handover_asks_a_reason_and_counts_against_the_rate(self):
        """Received a day late: handed over late, the buyer gives the reason, the rate drops."""
        with freeze_time("2026-06-01 07:00:00"):
            order, purchase = self._confirmed_order()
            link = self._wheel_link(order)
        with freeze_time(link.date_deadline + timedelta(days=1)):
            receipt = purchase.picking_ids
            receipt.move_ids.quantity = 2
            receipt.move_ids.picked = True
            receipt.button_validate()
            self._run()
            self.assertEqual(link.state, "done_late")
            self.assertFalse(link.is_on_time)
            self.assertEqual(link.on_time_rate, 0)
            self.assertTrue(self._activities(purchase, "backward_watch.mail_activity_type_delay_reason"))
            wizard = Form(
                self.env["backward.reason.wizard"].with_context(active_model="backward.link", active_id=link.id)
            )
            wizard.reason_id = self.env.ref("backward_watch.delay_reason_supplier_delay")
            wizard.save().action_confirm()
            self.assertEqual(link.reason_id.code, "SUPPLIER")
            self.assertFalse(self._activities(purchase, "backward_watch.mail_activity_type_delay_reason"))
            report = self.env["backward.ontime.report"].search([("link_id", "=", link.id)])
            self.assertEqual(report.on_time_rate, 0)
            self.assertEqual(report.vendor_id, self.vendor)

    def test_a_late_input_makes_the_next_late_link_caused_upstream(self):
        """The purchases came late, so the bike is late too: caused upstream, root cause the first late link."""
        with freeze_time("2026-06-01 07:00:00"):
            order, _purchase = self._confirmed_order()
            wheels = self._wheel_link(order)
            bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
            bike_link = bike.downstream_link_ids
        with freeze_time(bike_link.date_deadline + timedelta(hours=5)):
            self._run()
            self.assertEqual(wheels.state, "late")
            self.assertEqual(bike_link.state, "late")
            self.assertTrue(bike_link.caused_upstream)
            self.assertEqual(bike_link.reason_id.code, "UPSTREAM")
            # the tubes had to be there first (Wednesday 09:00, the wheels by 13:00): they are the root
            tubes = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.tube).downstream_link_ids
            self.assertLess(tubes.date_deadline, wheels.date_deadline)
            self.assertEqual(bike_link.root_cause_id, tubes)
            self.assertFalse(wheels.caused_upstream)
            self.assertEqual(wheels.root_cause_id, wheels)

    @freeze_time("2026-06-01 07:00:00")
    def test_a_purchase_without_expected_date(self):
        """A confirmed purchase line with no expected date is flagged, never guessed."""
        order, purchase = self._confirmed_order()
        line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
        self.env.cr.execute("UPDATE purchase_order_line SET date_planned = NULL WHERE id = %s", [line.id])
        line.invalidate_recordset()
        self._run()
        deadline = line.backward_deadline_ids
        self.assertEqual(deadline.expectation_issue, "no_expected_date")
        self.assertFalse(deadline.date_expected)
        self.assertEqual(self._wheel_link(order).state, "open")

    @freeze_time("2026-06-01 07:00:00")
    def test_vendor_date_before_the_order_date(self):
        """A vendor date before the order was placed is read as the order date, and flagged."""
        _order, purchase = self._confirmed_order()
        line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
        line.date_planned = datetime(2026, 5, 20, 8, 0)
        self._run()
        deadline = line.backward_deadline_ids
        self.assertEqual(deadline.expectation_issue, "vendor_before_order")
        self.assertGreaterEqual(deadline.date_expected, purchase.date_approve)

    @freeze_time("2026-06-01 07:00:00")
    def test_deleted_upstream_document_cancels_its_link(self):
        """A request for quotation deleted: its step and link are cancelled, not lost."""
        order = self._order()
        purchase = order.sudo().backward_deadline_ids.purchase_id
        deadlines = purchase.backward_deadline_ids
        links = deadlines.downstream_link_ids
        purchase.button_cancel()
        purchase.unlink()
        self._run()
        self.assertEqual(set(deadlines.mapped("state")), {"cancel"})
        self.assertEqual(set(links.mapped("state")), {"cancel"})

    @freeze_time("2026-06-01 07:00:00")
    def test_a_link_with_nothing_to_tell_is_only_recorded(self):
        """A link cancelled before anyone heard of it is recorded as told, nobody alerted; a
        link at risk, once cancelled, still has its warning closed by the notifier."""
        loud_order, loud_purchase = self._confirmed_order(commitment=datetime(2026, 6, 26, 15, 0))
        loud = self._wheel_link(loud_order)
        loud_purchase.order_line.date_planned = datetime(2026, 7, 15, 8, 0)
        quiet_order = self._order()
        draft = quiet_order.sudo().backward_deadline_ids.purchase_id
        self.assertNotEqual(draft, loud_purchase)
        quiet = draft.backward_deadline_ids.downstream_link_ids
        self._run()
        warning = loud.activity_id
        self.assertTrue(warning)
        self.assertEqual(set(quiet.mapped("notified_state")), {False}, "nothing to tell yet")
        draft.button_cancel()
        draft.unlink()
        loud_purchase.button_cancel()
        notifier = self.env["backward.notifier"]
        original = type(notifier)._alert_link
        alerted = []

        def spy(model, link):
            alerted.append(link.id)
            return original(model, link)

        with patch.object(type(notifier), "_alert_link", spy):
            self._run()
        self.assertEqual(set(quiet.mapped("state")), {"cancel"})
        self.assertEqual(set(quiet.mapped("notified_state")), {"cancel"})
        self.assertFalse(set(alerted) & set(quiet.ids), "nobody is alerted of a link they never heard of")
        self.assertEqual(loud.state, "cancel")
        self.assertIn(loud.id, alerted)
        self.assertEqual(loud.notified_state, "cancel")
        self.assertFalse(warning.exists(), "the warning of the cancelled handover is closed")

    @freeze_time("2026-06-01 07:00:00")
    def test_orders_projected_together_keep_their_own_projection(self):
        """Orders projected in one pass, promised apart, each get their own completion."""
        first, _purchase = self._confirmed_order()
        second, _other = self._confirmed_order(commitment=datetime(2026, 7, 10, 15, 0))
        late, late_purchase = self._confirmed_order(commitment=datetime(2026, 7, 17, 15, 0))
        late_purchase.order_line.date_planned = datetime(2026, 7, 30, 8, 0)
        self._run()
        for order in first | second | late:
            customer = order.backward_deadline_ids.filtered(lambda d: d.kind == "customer" and d.state != "cancel")
            self.assertEqual(order.backward_projected_date, customer.date_projected, order.name)
        self.assertNotEqual(first.backward_projected_date, second.backward_projected_date)
        self.assertEqual((first | second | late).mapped("backward_projected_late"), [False, False, True])
        self.assertGreater(late.backward_projected_delay_hours, 0)

    @freeze_time("2026-06-01 07:00:00")
    def test_one_bad_record_does_not_stop_the_watch(self):
        """An alert that fails is logged and skipped; the other links are still handled."""
        first, purchase = self._confirmed_order()
        second, other_purchase = self._confirmed_order(commitment=datetime(2026, 6, 26, 15, 0))
        links = self._wheel_link(first) | self._wheel_link(second)
        self.assertNotEqual(purchase, other_purchase)
        (purchase | other_purchase).order_line.date_planned = datetime(2026, 7, 15, 8, 0)
        bad = links[:1]
        notifier = self.env["backward.notifier"]
        original = type(notifier)._alert_link

        def failing(model, link):
            if link == bad:
                raise ValueError("a broken link")
            return original(model, link)

        with (
            patch.object(type(notifier), "_alert_link", failing),
            self.assertLogs("odoo.addons.backward_watch.models.backward_watch", level="ERROR"),
        ):
            self._run()
        self.assertTrue(bad.alert_error_date)
        self.assertNotEqual(bad.notified_state, bad.state)
        good = links - bad
        self.assertEqual(good.state, "at_risk")
        self.assertEqual(good.notified_state, "at_risk")

    @freeze_time("2026-06-01 07:00:00")
    def test_two_passes_at_once(self):
        """While another pass holds the watch's lock, a second pass does nothing."""
        order, purchase = self._confirmed_order()
        self._wheel_link(order)
        purchase.order_line.date_planned = datetime(2026, 7, 15, 8, 0)
        link = self._wheel_link(order)
        with self.registry.cursor() as other:
            other.execute("SELECT pg_advisory_lock(%s), pg_advisory_lock(%s)", [0x4261636B, 0x4261636C])
            try:
                self.assertEqual(self.watch._cron_backward_watch(), 0)
                self.assertEqual(link.state, "open", "the watch left at once")
                self.assertEqual(self.watch._cron_backward_tell(), 0)
                self.assertFalse(purchase.activity_ids)
            finally:
                other.execute("SELECT pg_advisory_unlock(%s), pg_advisory_unlock(%s)", [0x4261636B, 0x4261636C])
        self._run()
        self.assertEqual(link.state, "at_risk")
        self.assertTrue(purchase.activity_ids)

    @freeze_time("2026-06-01 07:00:00")
    def test_team_manager_and_salesperson_hear_of_a_projected_delay(self):
        """The projection passes the promise: the buyer's team manager and the salesperson are told."""
        manager = self.env["res.users"].create({"name": "Purchasing Lead", "login": "bm_purchasing_lead"})
        self.env["backward.team"].create(
            {"name": "Purchasing", "role": "purchase", "manager_id": manager.id, "member_ids": [(4, self.buyer.id)]}
        )
        order, purchase = self._confirmed_order()
        link = self._wheel_link(order)
        self.assertEqual(link.upstream_team_id.manager_id, manager)
        purchase.order_line.filtered(lambda l: l.product_id == self.wheel).date_planned += timedelta(days=6)
        self._run()
        self.assertTrue(order.backward_projected_late)
        self.assertTrue(order.backward_escalated)
        notice = self.env["mail.message"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id), ("subject", "like", "Delivery at risk")]
        )
        self.assertIn(manager.partner_id, notice.partner_ids)
        self.assertIn(self.salesperson.partner_id, notice.partner_ids)
        at_risk = self._activities(order, "backward_watch.mail_activity_type_delivery_at_risk")
        self.assertEqual(at_risk.user_id, self.salesperson)

    @freeze_time("2026-06-01 07:00:00")
    def test_purchase_filters_and_columns(self):
        """'Endangers downstream' and 'Receive by this week' find the late purchase; the gap shows."""
        _order, purchase = self._confirmed_order()
        line = purchase.order_line.filtered(lambda l: l.product_id == self.wheel)
        line.date_planned += timedelta(days=6)
        self._run()
        self.assertGreater(line.backward_gap_hours, 16)
        self.assertEqual(purchase.backward_alert_level, "at_risk")
        on_plan = self._confirmed_order(commitment=datetime(2026, 7, 24, 15, 0))[1]
        self.assertNotEqual(on_plan, purchase)
        for model, record, other in (
            ("purchase.order", purchase, on_plan),
            ("purchase.order.line", line, on_plan.order_line),
        ):
            self.assertEqual(self._filtered(model, "backward_endangers", record | other), record)
        # receive by this week: the wheels of the second order are due in July
        this_week = self._filtered("purchase.order", "backward_receive_this_week", purchase | on_plan)
        self.assertEqual(this_week, self.env["purchase.order"])
        with freeze_time("2026-06-15 07:00:00"):
            found = self._filtered("purchase.order", "backward_receive_this_week", purchase | on_plan)
            self.assertEqual(found, purchase)

    def _filtered(self, model, name, records):
        """``records`` that the search filter ``name`` of ``model``'s search view keeps."""
        arch = etree.fromstring(self.env[model].get_view(view_type="search")["arch"])
        domain = arch.xpath(f"//filter[@name='{name}']")[0].get("domain")
        today = fields.Date.context_today(self.env.user)
        domain = safe_eval(domain, {"context_today": lambda: today, "datetime": safe_eval_datetime})
        return self.env[model].search([("id", "in", records.ids), *domain])

    @freeze_time("2026-06-01 07:00:00")
    def test_the_mo_shows_which_input_is_at_risk_and_whose_it_is(self):
        """On the bike's MO: the wheels' purchase is at risk, by how much, owned by the buyer."""
        order, purchase = self._confirmed_order()
        purchase.order_line.filtered(lambda l: l.product_id == self.wheel).date_planned += timedelta(days=6)
        self._run()
        receipt_link = self._wheel_link(order)
        receipt = receipt_link.downstream_id
        self.assertIn(receipt_link, receipt.upstream_link_ids)
        self.assertIn(self.buyer.name, receipt.picking_id.backward_inputs_alert_html)
        bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike).production_id
        # the projection carries the delay down: the MO's own input (the receipt) is at risk too
        self.assertIn("WH/IN", bike.backward_inputs_alert_html)

    def test_settings_set_the_watch_cadence(self):
        """The cadence in Settings is the scheduled action's interval."""
        with Form(self.env["res.config.settings"]) as settings:
            settings.backward_watch_interval_number = 15
            settings.backward_watch_interval_type = "minutes"
        cron = self.env.ref("backward_watch.ir_cron_backward_watch")
        self.assertEqual((cron.interval_number, cron.interval_type), (15, "minutes"))

    @freeze_time("2026-06-01 07:00:00")
    def test_a_step_late_for_an_urgent_order_is_not_at_risk_for_a_relaxed_one(self):
        """The shared wheels should have been ordered already for the urgent order only."""
        relaxed = self._order(commitment=datetime(2026, 6, 26, 15, 0))
        urgent = self._order(commitment=datetime(2026, 6, 4, 15, 0))
        self._run()
        wheels = relaxed.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertIn(urgent, wheels.sale_order_ids)
        links = {link.sale_order_id: link for link in wheels.downstream_link_ids}
        self.assertIn(links[urgent].state, ("at_risk", "late"))
        self.assertEqual(links[relaxed].state, "open")

    def test_missing_components_put_the_mo_output_at_risk(self):
        """A day before the bike's start, its components are not there: its handover is at risk."""
        with freeze_time("2026-06-01 07:00:00"):
            order = self._order()
            bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
        with freeze_time(bike.date_start_deadline - timedelta(hours=12)):
            self._run()
            self.assertEqual(bike.production_id.reservation_state, "waiting")
            self.assertEqual(bike.expectation_issue, "components_missing")
            self.assertEqual(bike.downstream_link_ids.state, "at_risk")

    def test_work_order_progress_sets_the_expected_finish(self):
        """Started half an hour before its deadline with 50 minutes of work left: expected 20 minutes
        after the deadline, which the 2 h buffer absorbs."""
        with freeze_time("2026-06-01 07:00:00"):
            order = self._order()
            frame = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.frame)
            production = frame.production_id.sudo()
        with freeze_time(frame.date_deadline - timedelta(minutes=30)):
            production.workorder_ids.button_start()
            production.workorder_ids.duration = 10  # ten of the sixty minutes done
            self._run()
            self.assertTrue(frame.is_started)
            self.assertEqual(frame.date_expected, frame.date_deadline + timedelta(minutes=20))
            self.assertEqual(frame.downstream_link_ids.state, "absorbed")
            self.assertFalse(production.activity_ids, "absorbed: nobody is disturbed")
