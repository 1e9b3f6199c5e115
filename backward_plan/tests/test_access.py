from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BackwardCase
from .factory import create_factory


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestAccess(BackwardCase):
    """Who sees and changes the plan."""

    def test_employees_read_the_plan_but_do_not_write_it(self):
        """A salesperson reads deadlines and links; only the planner writes them."""
        order = self._order()
        deadlines = order.backward_deadline_ids.with_user(self.salesperson)
        self.assertTrue(deadlines.mapped("date_deadline"))
        with self.assertRaises(AccessError):
            deadlines[:1].write({"name": "changed"})
        with self.assertRaises(AccessError):
            deadlines[:1].unlink()

    def test_portal_and_public_users_see_nothing(self):
        """Portal and public users read no deadline, link nor team."""
        portal = new_test_user(self.env, "bm_portal_access", groups="base.group_portal")
        public = self.env.ref("base.public_user")
        self._order()
        models = ("backward.deadline", "backward.link", "backward.team")
        for user in (portal, public):
            for model in models:
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])

    def test_other_company_sees_nothing(self):
        """A user of company B sees no deadline of company A, even asking for it."""
        order = self._order()
        other = self.env["res.company"].create({"name": "Other Bikes"})
        stranger = new_test_user(
            self.env,
            "bm_stranger",
            groups="sales_team.group_sale_salesman,backward_plan.backward_management_group_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        deadlines = self.env["backward.deadline"].with_user(stranger)
        self.assertFalse(deadlines.search([("id", "in", order.backward_deadline_ids.ids)]))
        with self.assertRaises(AccessError):
            deadlines.browse(order.backward_deadline_ids[:1].id).read(["date_deadline"])
        self.assertFalse(self.env["backward.link"].with_user(stranger).search([]))

    def test_each_company_plans_on_its_own_calendars(self):
        """An order of company B is planned with B's calendars and settings, and stays in B."""
        other = self.env["res.company"].create({"name": "Other Bikes"})
        self.env.user.company_ids |= other
        factory = create_factory(self.env, company=other, tz="America/New_York")
        order = (
            self.env["sale.order"]
            .with_company(other)
            .create(
                {
                    "partner_id": factory.customer.id,
                    "company_id": other.id,
                    "commitment_date": "2026-06-19 20:00:00",
                    "order_line": [(0, 0, {"product_id": factory.bike.id, "product_uom_qty": 1})],
                }
            )
        )
        order.with_company(other).action_confirm()
        self.assertEqual(set(order.backward_deadline_ids.mapped("company_id.id")), {other.id})
        self.assertEqual(
            order.backward_deadline_ids.filtered(lambda d: d.kind == "delivery").calendar_id,
            factory.office,
        )

    def test_only_managers_configure_teams(self):
        """A user reads teams; creating one is for managers."""
        with self.assertRaises(AccessError):
            self.env["backward.team"].with_user(self.salesperson).create({"name": "Rogue"})
        manager = new_test_user(
            self.env,
            "bm_manager_team",
            groups="backward_plan.backward_management_group_manager",
        )
        team = (
            self.env["backward.team"]
            .with_user(manager)
            .create({"name": "Welders", "member_ids": [(4, self.planner_user.id)]})
        )
        order = self._order()
        frame = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.frame)
        frame.production_id.sudo().user_id = self.planner_user
        order.action_backward_plan()
        self.assertEqual(frame.team_id, team)
        self.assertEqual(frame.downstream_link_ids.upstream_team_id, team)

    def test_the_plan_fields_of_an_order_are_not_set_by_hand(self):
        """A salesperson cannot write an agreement or a feasibility over RPC."""
        order = self._order()
        forged = {
            "backward_plan_state": "agreed",
            "backward_sales_agreed_uid": self.salesperson.id,
            "backward_production_agreed_uid": self.salesperson.id,
            "backward_is_feasible": True,
        }
        before = order.read(list(forged))
        for name, value in forged.items():
            with self.assertRaisesText(AccessError, "cannot be set by hand"):
                order.with_user(self.salesperson).write({name: value})
            with self.assertRaisesText(AccessError, "cannot be set by hand"):
                order.with_user(self.salesperson).copy().write({name: value})
        with self.assertRaisesText(AccessError, "cannot be set by hand"):
            self.env["sale.order"].with_user(self.salesperson).create(
                {"partner_id": self.customer.id, "backward_plan_state": "agreed"}
            )
        self.assertEqual(order.read(list(forged)), before)
        self.assertEqual(order.backward_plan_state, "proposed")
        # nor through the defaults of the context, which Odoo applies to readonly fields too
        sneaked = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .with_context(
                default_backward_plan_state="agreed",
                default_backward_sales_agreed_uid=self.salesperson.id,
                default_note="kept",
            )
            .create({"partner_id": self.customer.id})
        )
        self.assertNotEqual(sneaked.backward_plan_state, "agreed")
        self.assertFalse(sneaked.backward_sales_agreed_uid)
        self.assertEqual(sneaked.backward_plan_state, "none")
        self.assertIn("kept", str(sneaked.note), "the other defaults of the context still apply")

    def test_the_plan_written_leaves_the_chatter_its_tracked_fields(self):
        """The plan's own fields are written without tracking; a tracked field written with
        them is still tracked in the chatter."""
        order = self._order()
        other = new_test_user(self.env, login="bm_other_seller", groups="sales_team.group_sale_salesman")
        self.env.cr.precommit.run()  # Odoo writes the tracking at commit
        trackings = len(order.sudo().message_ids.tracking_value_ids)
        order._backward_write({"backward_plan_warning": "checked"})
        self.env.cr.precommit.run()
        self.assertEqual(len(order.sudo().message_ids.tracking_value_ids), trackings)
        order._backward_write({"backward_plan_warning": False, "user_id": other.id})
        self.env.cr.precommit.run()
        order.invalidate_recordset(["message_ids"])
        tracked = order.sudo().message_ids.tracking_value_ids.filtered(lambda value: value.field_id.name == "user_id")
        self.assertEqual(len(tracked), 1)
        self.assertFalse(order.backward_plan_warning)
