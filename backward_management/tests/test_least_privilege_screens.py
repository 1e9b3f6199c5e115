"""Screens and buttons as the low-privilege users who use them, with no elevation to lean on.

Each test runs a path whose elevation was removed (or kept at its entry point) as the real
user it serves: a buyer without the addon's groups nor sale rights reads and agrees from a
request for quotation, the production user explains a late manufacturing order, a
salesperson draws a chain through purchases they may not open, the administrator sets
the watch's cadence. Forbidden attempts change nothing.
"""

from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.backward_plan.tests.common import DefaultsCase
from odoo.addons.backward_review.tests.common import ReviewCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00
WATCH_CRON = "backward_watch.ir_cron_backward_watch"


@tagged("post_install", "-at_install")
class TestScreensLeastPrivilege(ReviewCase, DefaultsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # purchasing only: neither the addon's groups nor sales, stock or manufacturing
        cls.plain_buyer = new_test_user(cls.env, "bm_plain_buyer", groups="purchase.group_purchase_user")

    def _rfq(self):
        """A confirmed order whose plan waits for the parties' agreement, and its wheels' RFQ;
        the cache emptied, as in the buyer's next request."""
        order = self._order(commitment=PROMISE)
        purchase = self._step(order, "purchase", self.wheel).purchase_id
        self.env.invalidate_all()
        return order, purchase

    @freeze_time(T0)
    def test_a_plain_buyer_reads_what_the_rfq_feeds(self):
        """A purchase user who may read no sale order opens an RFQ of the chain, and the
        list of its lines: the banner names the order, its customer and delivery."""
        self.assertFalse(self.plain_buyer.has_group("sales_team.group_sale_salesman"))
        self.assertFalse(self.plain_buyer.has_group("stock.group_stock_user"))
        order, purchase = self._rfq()
        [banner] = purchase.with_user(self.plain_buyer).read(["backward_alert_html"])
        for text in (order.name, "Velo Shop"):
            self.assertIn(text, banner["backward_alert_html"])
        self.env.invalidate_all()
        lines = self.env["purchase.order.line"].with_user(self.plain_buyer)
        listed = lines.web_search_read([("order_id", "=", purchase.id)], {"backward_feeds": {}})
        self.assertIn(order.name, listed["records"][0]["backward_feeds"])
        self.env.invalidate_all()
        form = Form(purchase.with_user(self.plain_buyer))
        self.assertIn(order.name, form.backward_feeds)
        self.assertIn("Velo Shop", form.backward_alert_html)
        link = self._step(order, "purchase", self.wheel).downstream_link_ids
        self.assertEqual(link.with_user(self.plain_buyer).date_promise, PROMISE, "the delivery it shows")

    @freeze_time(T0)
    def test_a_plain_buyer_agrees_the_plan_from_the_rfq(self):
        """The same buyer sees that the RFQ waits for purchasing's agreement, and agrees."""
        order, purchase = self._rfq()
        [waiting] = purchase.with_user(self.plain_buyer).read(["backward_awaits_agreement"])
        self.assertTrue(waiting["backward_awaits_agreement"])
        self.env.invalidate_all()
        purchase.with_user(self.plain_buyer).action_backward_agree_plan()
        self.assertEqual(order.backward_purchase_agreed_uid, self.plain_buyer)
        self.assertFalse(purchase.with_user(self.plain_buyer).backward_awaits_agreement)

    def test_the_production_user_gives_the_reason_of_a_late_mo(self):
        """The bike's MO hands over late: its Responsible explains it from the link; a
        salesperson, who does not answer for it, is refused and changes nothing."""
        _order, _wheels, output, moment = self._late_chain()
        machine = self.env.ref("backward_watch.delay_reason_machine_breakdown")
        with freeze_time(moment):
            self._watch()
            self.assertEqual((output.state, output.upstream_user_id), ("late", self.planner_user))
            before = output.reason_id
            self.env.invalidate_all()
            wizard = self.env["backward.reason.wizard"].with_context(active_model="backward.link", active_id=output.id)
            refused = Form(wizard.with_user(self.salesperson))
            refused.reason_id = machine
            with self.assertRaisesText(AccessError, "upstream owner"):
                refused.save().action_confirm()
            self.assertEqual(output.reason_id, before)
            self.env.invalidate_all()
            form = Form(wizard.with_user(self.planner_user))
            form.reason_id = machine
            form.note = "The press stopped for two hours."
            form.save().action_confirm()
        self.assertEqual((output.reason_id, output.reason_note), (machine, "The press stopped for two hours."))
        posted = output.message_ids.filtered(lambda message: "The press stopped" in message.body)
        self.assertEqual(posted.author_id, self.planner_user.partner_id, "in the name of who explained it")

    def test_a_timeline_names_the_documents_its_reader_may_not_open(self):
        """A salesperson draws the chain of their order: the purchases, which they may not
        read, show by their step's name and do not open; the MOs open."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self.env.invalidate_all()
            rows = self.env["backward.timeline"].with_user(self.salesperson).get_timeline("sale.order", order.ids)
        self.assertFalse(self.env["purchase.order"].with_user(self.salesperson).has_access("read"))
        rows = {row["id"]: row for row in rows["rows"]}
        wheels = self._step(order, "purchase", self.wheel)
        self.assertEqual((rows[wheels.id]["document"], rows[wheels.id]["res_model"]), (wheels.name, False))
        bike = self._step(order, "production", self.bike)
        self.assertEqual(rows[bike.id]["document"], bike.production_id.name)
        self.assertEqual(
            (rows[bike.id]["res_model"], rows[bike.id]["res_id"]), ("mrp.production", bike.production_id.id)
        )

    def test_the_administrator_sets_the_watch_cadence_and_nobody_else(self):
        """Settings, as the administrator: the scheduled action's interval; a backward
        manager cannot open Settings and the interval stays."""
        admin = self.env.ref("base.user_admin")
        with Form(self.env["res.config.settings"].with_user(admin)) as settings:
            settings.backward_watch_interval_number = 20
            settings.backward_watch_interval_type = "minutes"
        cron = self.env.ref(WATCH_CRON)
        self.assertEqual((cron.interval_number, cron.interval_type), (20, "minutes"))
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager).create({"backward_watch_interval_number": 1})
        self.assertEqual((cron.interval_number, cron.interval_type), (20, "minutes"))
