"""The demo factory, loaded as an installation with demo data loads it: every report of
the addon has something to show, and the quarter's on-time rate climbs.

The test database has no demo data: the demo files are loaded here, through Odoo's own
loader, so the test does not depend on how the database was made.
"""

from collections import defaultdict

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

TODAY = "2026-11-26 05:00:00"
DEMO_FILES = (
    "demo/backward_management_demo.xml",
    "demo/backward_management_history.xml",
    "demo/backward_management_orders.xml",
)


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    """A quarter of history through Odoo's documents, and the open orders of today."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the history is lived up to "today": a fixed day makes it the same on every run
        with freeze_time(TODAY):
            for path in DEMO_FILES:
                convert_file(cls.env, "backward_management", path, {}, mode="init", noupdate=True, kind="demo")
            # the scheduled actions run once the present orders are in, as on a server
            watch = cls.env["backward.watch"]
            watch._cron_backward_watch()
            while watch._cron_backward_tell():
                pass
        cls.orders = cls.env["sale.order"].search([("backward_plan_state", "!=", "none")])

    def _action_count(self, xmlid, extra=()):
        """Records an action of the addon shows, with its own domain."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        domain = list(action.get("domain") or []) if isinstance(action.get("domain"), list) else []
        return self.env[action["res_model"]].search_count(domain + list(extra))

    def test_every_report_shows_data(self):
        for xmlid in (
            "backward_watch.backward_ontime_report_action",
            "backward_watch.backward_link_action_late",
            "backward_watch.backward_repromise_action",
            "backward_review.backward_penalty_action",
            "backward_review.backward_review_action",
            "backward_plan.backward_deadline_action",
            "backward_plan.backward_link_action",
        ):
            self.assertTrue(self._action_count(xmlid), f"{xmlid} shows nothing on the demo")
        late = self.env["backward.link"].search([("state", "=", "done_late")])
        self.assertTrue(late.filtered("reason_id"), "late handovers grouped by their reasons")
        timeline = self.env["backward.timeline"].get_timeline()
        self.assertTrue(timeline["rows"], "the open orders on the timeline")
        shown = self.env["sale.order"].browse({row["order_id"] for row in timeline["rows"]})
        self.assertNotIn("full", shown.mapped("delivery_status"), "delivered orders are history, not open")
        delivered = self.orders.filtered(lambda order: order.delivery_status == "full")
        self.assertTrue(delivered, "the quarter delivered orders")

    def test_reviews_in_every_state_and_a_reversed_penalty(self):
        states = set(self.env["backward.review"].search([]).mapped("state"))
        self.assertEqual(
            states, {"draft", "submitted", "acknowledged", "disputed", "upheld", "waived", "closed"}, states
        )
        penalties = self.env["backward.penalty"].search([])
        self.assertTrue(penalties.filtered(lambda line: line.state == "approved" and not line.reversed_id))
        self.assertEqual(len(penalties.filtered("reversed_id")), 1, "one approved penalty was corrected")

    def test_the_on_time_rate_climbs_toward_the_target(self):
        rows = self.env["backward.ontime.report"].search_read([], ["date_handover", "is_on_time"])
        weeks = defaultdict(list)
        for row in rows:
            weeks[row["date_handover"].isocalendar()[:2]].append(row["is_on_time"])
        rates = [100.0 * sum(values) / len(values) for _week, values in sorted(weeks.items())]
        self.assertGreaterEqual(len(rates), 10, "about a quarter of weekly rates")
        first, last = sum(rates[:6]) / 6, sum(rates[-4:]) / 4
        self.assertGreaterEqual(last, 90, rates)
        self.assertGreaterEqual(last - first, 10, f"the rate climbs: {rates}")

    def test_open_orders_in_every_situation(self):
        live = self.env["backward.link"].search([("state", "not in", ("done", "done_late", "cancel"))])
        self.assertEqual(set(live.mapped("state")), {"open", "absorbed", "at_risk", "late"})
        self.assertTrue(self.orders.filtered(lambda order: not order.backward_is_feasible), "an infeasible promise")
        self.assertTrue(
            self.orders.filtered(lambda order: order.backward_plan_state == "proposed"), "a plan waiting for agreement"
        )
        self.assertTrue(self.orders.filtered("backward_projected_late"), "an order projected late")
        states = set(self.env["backward.repromise"].search([]).mapped("state"))
        self.assertLessEqual({"absorbed", "pending", "accepted", "refused"}, states, "re-promises in every decision")
