from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, tagged


@tagged("post_install", "-at_install")
class TestRaces(BaseCase):
    """Real concurrency: two connections, committed data (removed at the end).

    A purchase whose order-by date is past owes a handover: the watch puts its link at
    risk and schedules one activity for the buyer, whatever runs at the same time.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.buyer_id = env["res.users"].create({"name": "Race Buyer", "login": "bm_race_buyer"}).id
            vendor = env["res.partner"].create({"name": "Race Vendor"})
            product = env["product.product"].create({"name": "Race Part", "type": "consu"})
            purchase = env["purchase.order"].create(
                {
                    "partner_id": vendor.id,
                    "user_id": cls.buyer_id,
                    "order_line": [(0, 0, {"product_id": product.id, "product_qty": 1, "price_unit": 1})],
                }
            )
            now = fields.Datetime.now()
            Deadline = env["backward.deadline"]
            upstream = Deadline.create(
                {
                    "name": "Race purchase",
                    "step_key": "race,purchase",
                    "kind": "purchase",
                    "purchase_line_id": purchase.order_line.id,
                    "purchase_id": purchase.id,
                    "user_id": cls.buyer_id,
                    "company_id": env.company.id,
                    # ordered ten days late: the expected handover lies past the need
                    # whatever the day and hour the test runs (one day late on a weekend
                    # costs no working time, and the buffer absorbed it)
                    "date_start_deadline": now - timedelta(days=10),
                    "date_deadline": now + timedelta(days=4),
                }
            )
            downstream = Deadline.create(
                {
                    "name": "Race need",
                    "step_key": "race,need",
                    "kind": "customer",
                    "company_id": env.company.id,
                    "date_start_deadline": now + timedelta(days=5),
                    "date_deadline": now + timedelta(days=5),
                }
            )
            link = env["backward.link"].create(
                {
                    "name": "Race link",
                    "upstream_id": upstream.id,
                    "downstream_id": downstream.id,
                    "kind": "purchase",
                    "upstream_user_id": cls.buyer_id,
                    "company_id": env.company.id,
                    "date_deadline": now + timedelta(days=4),
                    "date_need": now + timedelta(days=5),
                }
            )
            cls.ids = {
                "purchase": purchase.id,
                "line": purchase.order_line.id,
                "link": link.id,
                "deadlines": [upstream.id, downstream.id],
                "product": product.id,
                "vendor": vendor.id,
            }

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            purchase = env["purchase.order"].browse(cls.ids["purchase"])
            purchase.activity_ids.unlink()
            env["backward.link"].browse(cls.ids["link"]).unlink()
            env["backward.deadline"].browse(cls.ids["deadlines"]).unlink()
            purchase.button_cancel()
            purchase.unlink()
            env["product.product"].browse(cls.ids["product"]).unlink()
            env["res.partner"].browse(cls.ids["vendor"]).unlink()
            env["res.users"].browse(cls.buyer_id).unlink()
        super().tearDownClass()

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _pass(self, cr):
        """Both scheduled actions on ``cr``: the watch, then the owners told (one chunk suffices)."""
        watch = self._env(cr)["backward.watch"]
        watch._cron_backward_watch()
        return watch._cron_backward_tell()

    def _activities(self):
        with self.registry.cursor() as cr:
            purchase = self._env(cr)["purchase.order"].browse(self.ids["purchase"])
            return len(purchase.activity_ids.filtered(lambda a: a.user_id.id == self.buyer_id))

    def _link_state(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, notified_state FROM backward_link WHERE id = %s", [self.ids["link"]])
            return cr.fetchone()

    def test_1_two_passes_at_once_warn_once(self):
        """A pass runs while another has not committed yet: the second does nothing."""
        first = self.registry.cursor()
        try:
            self.assertEqual(self._pass(first), 0)
            with self.registry.cursor() as second:
                second.execute("SET LOCAL lock_timeout = '5s'")
                # both actions find their lock taken and leave
                self.assertEqual(self._pass(second), 0)
            self.assertEqual(self._activities(), 0, "nothing is committed yet")
            first.commit()
        finally:
            first.close()
        self.assertEqual(self._activities(), 1)
        self.assertEqual(self._link_state(), ("at_risk", "at_risk"))
        with self.registry.cursor() as again:
            self._pass(again)
        self.assertEqual(self._activities(), 1, "a pass with nothing new creates nothing")

    def test_2_a_user_editing_is_not_overwritten(self):
        """A buyer moves the date while the watch runs: the watch skips the row, nothing is lost."""
        user_date = fields.Datetime.now() + timedelta(days=30)
        buyer = self.registry.cursor()
        try:
            buyer.execute(
                "UPDATE purchase_order_line SET date_planned = %s WHERE id = %s", [user_date, self.ids["line"]]
            )
            # the buyer's screen re-plans: the link row is held by the buyer's transaction
            buyer.execute("UPDATE backward_link SET write_date = now() WHERE id = %s", [self.ids["link"]])
            with self.registry.cursor() as cr:
                # waiting for the buyer would hang this test: fail fast instead
                cr.execute("SET LOCAL lock_timeout = '5s'")
                self._pass(cr)
            buyer.commit()
        finally:
            buyer.close()
        with self.registry.cursor() as cr:
            cr.execute("SELECT date_planned FROM purchase_order_line WHERE id = %s", [self.ids["line"]])
            self.assertEqual(cr.fetchone()[0].replace(microsecond=0), user_date.replace(microsecond=0))
        with self.registry.cursor() as cr:
            self._pass(cr)
        self.assertEqual(self._activities(), 1)
