from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSecurityGroups(TransactionCase):
    """The two access levels of Backward Management."""

    def test_manager_implies_user(self):
        """A Backward Management manager is also a user."""
        manager = new_test_user(self.env, "bm_manager", groups="backward_plan.backward_management_group_manager")
        self.assertTrue(manager.has_group("backward_plan.backward_management_group_user"))

    def test_plain_employee_is_not_a_user(self):
        """An internal user without the group does not get it by default."""
        employee = new_test_user(self.env, "bm_employee", groups="base.group_user")
        self.assertFalse(employee.has_group("backward_plan.backward_management_group_user"))

    def test_administrator_manages(self):
        """The administrator can configure backward management out of the box."""
        self.assertTrue(self.env.ref("base.user_admin").has_group("backward_plan.backward_management_group_manager"))


@tagged("post_install", "-at_install")
class TestWebClient(HttpCase):
    """The addon's assets load in a real browser."""

    def test_backend_loads_for_a_manager(self):
        """A manager's web client starts without a JavaScript error."""
        new_test_user(
            self.env,
            "bm_web_manager",
            groups="base.group_user,backward_plan.backward_management_group_manager",
        )
        self.browser_js("/odoo", "console.log('test successful')", "odoo.isReady", login="bm_web_manager")
