"""Least privilege: each flow elevates once, at its entry, for the people who really use it.

A change saved by whoever Odoo lets save it (a production user's time off on a work center,
a user administrator's public holiday, a manufacturing manager's bill of materials, a purchasing
manager's vendor lead time) marks the open orders it touches, though they may not read
them; a salesperson previews a delivery-date change across manufacturing orders they may
not read. The services behind those entries refuse a caller that is not superuser.
"""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.backward_plan.tests.common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestLeastPrivilege(DefaultsCase):
    def _day_of(self, order, product):
        """Midnight (UTC) of the day the order's ``product`` starts being made."""
        step = self._step(order, "production", product)
        return datetime.combine(step.date_start_deadline.date(), datetime.min.time())

    def _assert_marked_by(self, order, user, text):
        """``order`` waits for the re-plan of ``user``'s change, and the re-plan runs."""
        self.assertIn(text, order.backward_replan_reason or "")
        batch = self.env["backward.replan.batch"].search([("user_id", "=", user.id)])
        self.assertEqual((len(batch), batch.order_count), (1, 1))
        self.env["backward.replanner"]._cron_backward_replan()
        self.assertFalse(order.backward_replan_reason)
        self.assertEqual(batch.state, "done")

    def test_time_off_saved_by_a_production_user_re_plans_the_orders_on_that_work_center(self):
        """A production user books maintenance on a work center: its open orders are marked."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            day = self._day_of(order, self.bike)
            self.env["resource.calendar.leaves"].with_user(self.planner_user).create(
                {
                    "name": "Maintenance",
                    "resource_id": self.assembly.resource_id.id,
                    "calendar_id": self.shifts.id,
                    "date_from": day,
                    "date_to": day + timedelta(days=1),
                }
            )
            self._assert_marked_by(order, self.planner_user, "Maintenance")

    def test_a_public_holiday_saved_by_a_user_administrator_re_plans_the_company_s_orders(self):
        """Odoo lets an administrator of users (not of Settings, nor of sales) keep the public
        holidays: one of no calendar marks the company's orders."""
        admin = new_test_user(self.env, "bm_least_user_admin", groups="base.group_user,base.group_erp_manager")
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            day = self._day_of(order, self.bike)
            self.env["resource.calendar.leaves"].with_user(admin).create(
                {"name": "Founders' Day", "date_from": day, "date_to": day + timedelta(days=1)}
            )
            self._assert_marked_by(order, admin, "Founders' Day")
            with self.assertRaises(AccessError):
                order.with_user(admin).read(["name"])  # the order stays out of their reach

    def test_working_hours_changed_by_a_production_user_re_plan(self):
        """Odoo lets a production user edit working hours: the calendar's orders are marked."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            friday = self.shifts.attendance_ids.filtered(lambda attendance: attendance.dayofweek == "4")
            friday.with_user(self.planner_user).unlink()
            self._assert_marked_by(order, self.planner_user, "working hours of Two shifts")

    def test_a_bill_of_materials_saved_by_a_manufacturing_manager_re_plans(self):
        manager = new_test_user(self.env, "bm_least_mrp_manager", groups="mrp.group_mrp_manager")
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            with Form(self.bike_bom.with_user(manager)) as bom:
                bom.produce_delay = 2
            self._assert_marked_by(order, manager, "bill of materials")

    def test_a_vendor_lead_time_saved_by_a_purchasing_manager_re_plans(self):
        manager = new_test_user(self.env, "bm_least_purchase_manager", groups="purchase.group_purchase_manager")
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self.wheel.seller_ids.with_user(manager).write({"delay": 8})
            self._assert_marked_by(order, manager, "vendor lead time")
            with self.assertRaises(AccessError):
                order.with_user(manager).read(["name"])

    def test_a_salesperson_previews_a_date_change_across_work_centers_they_may_not_read(self):
        """Finite capacity, an alternative work center: the preview reads the work orders for them."""
        admin = new_test_user(
            self.env,
            "bm_least_admin",
            groups="base.group_system,mrp.group_mrp_manager,backward_plan.backward_management_group_manager",
        )
        with Form(self.env["res.config.settings"].with_user(admin)) as settings:
            settings.backward_capacity = "finite"
        self.assembly.alternative_workcenter_ids = self.welding
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            self.assertTrue(self._step(order, "production", self.bike).production_id.workorder_ids)
            model = self.env["backward.date.change.wizard"].with_user(self.salesperson)
            form = Form(model.with_context(active_model="sale.order", active_id=order.id))
            form.date_new = PROMISE + timedelta(days=7)
            self.assertNotIn("text-danger", form.effect_html or "")
            self.assertTrue(form.feasible)
            self.assertIn(self._step(order, "production", self.bike).name, form.effect_html)
            with self.assertRaises(AccessError):
                self.assembly.with_user(self.salesperson).read(["name"])

    def test_the_services_refuse_a_caller_that_is_not_superuser(self):
        """The writers and the load report's rows are the planning's, never a client's to call."""
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
        with self.assertRaises(AccessError):
            self.env["backward.schedule.writer"].with_user(self.planner_user)._apply(order)
        with self.assertRaises(AccessError):
            self.env["backward.capacity.load"].with_user(self.planner_user)._refresh(self.company)
        with self.assertRaises(AccessError):
            self.env["backward.replanner"].with_user(self.planner_user)._mark(order.ids, "forged")
        self.assertFalse(order.backward_replan_reason)
