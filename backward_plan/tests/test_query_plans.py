from odoo.tests import TransactionCase, tagged

from odoo.addons.backward_plan.models.query_plans import without_jit


@tagged("post_install", "-at_install")
class TestQueryPlans(TransactionCase):
    def _jit(self):
        self.env.cr.execute("SELECT current_setting('jit')")
        return self.env.cr.fetchone()[0]

    def test_inside_jit_is_off_and_the_setting_comes_back(self):
        # a server with JIT on (PostgreSQL's default): off for the walk, on again after it
        self.env.cr.execute("SET LOCAL jit = on")
        with without_jit(self.env.cr):
            self.assertEqual(self._jit(), "off")
        self.assertEqual(self._jit(), "on")
        # an error inside gives it back as well
        with self.assertRaises(ValueError), without_jit(self.env.cr):
            raise ValueError("the walk failed")
        self.assertEqual(self._jit(), "on")

    def test_a_server_without_jit_keeps_it_off(self):
        self.env.cr.execute("SET LOCAL jit = off")
        with without_jit(self.env.cr):
            self.assertEqual(self._jit(), "off")
        self.assertEqual(self._jit(), "off")
