"""Finite capacity: work orders placed backward on their work centers' real load.

Through Odoo's flow at the addon's default settings: a manager chooses finite capacity in
Settings, the salesperson confirms orders, Odoo creates the manufacturing orders; their
work orders are placed and become Odoo's own planned dates.
"""

from datetime import datetime, timedelta
from itertools import pairwise
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.backward_capacity.models import backward_capacity_replan
from odoo.addons.backward_plan import scheduling
from odoo.addons.backward_plan.tests.common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


def overlaps(workorders):
    """Pairs of work orders of one work center whose slots overlap."""
    found = []
    by_center = {}
    for wo in workorders:
        by_center.setdefault(wo.workcenter_id, []).append((wo.date_start, wo.date_finished, wo.id))
    for slots in by_center.values():
        for (_s1, end, first), (start, _e2, second) in pairwise(sorted(slots)):
            if start < end:
                found.append((first, second))
    return found


class FiniteCase(DefaultsCase):
    """Stools made to order on one assembly work center; finite capacity one click away."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "bm_capacity_manager",
            groups="base.group_system,mrp.group_mrp_manager,backward_plan.backward_management_group_manager",
        )
        # a stool: made to order from nothing bought, one hour of assembly per stool
        cls.stool = cls.env["product.product"].create(
            {
                "name": "Stool",
                "type": "consu",
                "is_storable": True,
                "route_ids": [Command.set([cls.mto.id, cls.manufacture.id])],
            }
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.stool.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create({"name": "Assemble", "workcenter_id": cls.assembly.id, "time_cycle_manual": 60})
                ],
            }
        )

    def _finite(self):
        with Form(self.env["res.config.settings"].with_user(self.manager)) as settings:
            settings.backward_capacity = "finite"
        self.assertEqual(self.company.backward_capacity, "finite")

    def _workorders(self, orders):
        return orders.sudo().backward_deadline_ids.production_id.workorder_ids

    def _assembly(self, order):
        return self._workorders(order).filtered(lambda wo: wo.workcenter_id == self.assembly)

    def _queue_stools(self, count=4):
        """``count`` orders of a day of assembly each, due the same Friday."""
        orders = self.env["sale.order"]
        for _index in range(count):
            orders |= self._order(self.stool, quantity=16, commitment=PROMISE)
        return orders


@tagged("post_install", "-at_install")
class TestFiniteCapacity(FiniteCase):
    def test_infinite_capacity_leaves_odoo_s_work_orders_unplanned(self):
        """The default: nothing placed, as before the setting existed."""
        with freeze_time(T0):
            order = self._order(self.stool, quantity=8, commitment=PROMISE)
        self.assertEqual(self.company.backward_capacity, "infinite")
        workorders = self._workorders(order)
        self.assertTrue(workorders)
        self.assertFalse(any(workorders.mapped("date_start")))
        self.assertFalse(self._step(order, "production").capacity_state)

    def test_orders_due_together_queue_on_the_work_center_and_odoo_shows_the_plan(self):
        """Four stools orders of a day of assembly each, due the same Friday: placed back to
        back, the first confirmed last; Odoo's work orders and MOs carry the slots; the
        orders placed earlier are not moved (the watch raising no false alarm on them is
        tested with the watch installed, in backward_management)."""
        self._finite()
        with freeze_time(T0):
            first = self._order(self.stool, quantity=16, commitment=PROMISE)
            first_slots = self._assembly(first).read(["date_start", "date_finished"])
            orders = first
            for _index in range(3):
                orders |= self._order(self.stool, quantity=16, commitment=PROMISE)
            self.assertEqual(self._assembly(first).read(["date_start", "date_finished"]), first_slots)
            workorders = self._workorders(orders)
            self.assertEqual(len(workorders), 4)
            self.assertFalse(overlaps(workorders))
            starts = [self._assembly(order).date_start for order in orders]
            self.assertEqual(starts, sorted(starts, reverse=True), "the first confirmed keeps the latest slot")
            for order in orders:
                production = self._step(order, "production").production_id
                workorder = self._assembly(order)
                self.assertTrue(production.is_planned)
                self.assertEqual(
                    (production.date_start, production.date_finished), (workorder.date_start, workorder.date_finished)
                )
                self.assertEqual(workorder.leave_id.date_from, workorder.date_start, "Odoo's own slot in the calendar")
                self.assertLessEqual(workorder.date_finished, self._step(order, "production").date_deadline)
            states = [self._step(order, "production").capacity_state for order in orders]
            self.assertEqual(states, [False, "moved", "moved", "moved"])

    def test_demand_past_the_bottleneck_names_the_late_order_its_date_and_bottleneck(self):
        """Three days of assembly due in two: the third order cannot make it; it is named
        with its earliest finish and the assembly as bottleneck; nothing overlaps."""
        self._finite()
        promise = datetime(2026, 6, 3, 20, 0)  # Wednesday 22:00
        with freeze_time(T0):
            orders = self.env["sale.order"]
            for _index in range(3):
                orders |= self._order(self.stool, quantity=16, commitment=promise)
            self.assertFalse(overlaps(self._workorders(orders)))
            late = orders[-1]
            step = self._step(late, "production")
            self.assertEqual(step.capacity_state, "late")
            self.assertEqual(step.capacity_workcenter_id, self.assembly)
            self.assertGreater(step.date_capacity_finish, step.date_deadline)
            self.assertGreater(late.backward_earliest_date, promise)
            self.assertFalse(late.backward_is_feasible)
            self.assertEqual(self._step(orders[0], "production").capacity_state, False)
            shortfalls = self.env["backward.deadline"].search([("capacity_state", "=", "late")])
            self.assertIn(step, shortfalls)
            self.assertNotIn(self._step(orders[0], "production"), shortfalls)
            self.assertEqual(shortfalls.capacity_workcenter_id, self.assembly)

    def test_work_planned_by_hand_is_kept_and_counted(self):
        """The planner moves an order's slot by hand: the next placements go around it and
        the full re-plan leaves it where the planner put it."""
        self._finite()
        with freeze_time(T0):
            first = self._order(self.stool, quantity=8, commitment=PROMISE)
            workorder = self._assembly(first).with_user(self.planner_user)
            by_hand = datetime(2026, 6, 26, 4, 0)  # Friday 06:00, the morning shift
            workorder.write({"date_start": by_hand, "date_finished": by_hand + timedelta(hours=8)})
            second = self._order(self.stool, quantity=16, commitment=PROMISE)
            self.env["backward.capacity"].with_user(self.manager).action_replan_capacity()
            self.assertEqual(self._assembly(first).date_start, by_hand)
            self.assertFalse(overlaps(self._workorders(first | second)))

    def test_a_center_loaded_for_months_is_planned_on_calendars_that_reach_past_its_load(self):
        """The planner books the assembly by hand until September for one order: the
        next order goes after that load, placed on the first try (its calendars reach past
        the load; they were widened only after a placement ran off them)."""
        self._finite()
        with freeze_time(T0):
            first = self._order(self.stool, quantity=8, commitment=PROMISE)
            by_hand = self._assembly(first).with_user(self.planner_user)
            by_hand.write({"date_start": T0 + timedelta(hours=1)})
            by_hand.write({"date_finished": PROMISE + timedelta(days=90)})
            taken_until = by_hand.date_finished
            self.assertGreater(taken_until, PROMISE + timedelta(days=62), "past the first horizon tried")
            placements = []
            original = scheduling.plan_backward

            def counting(*args, **kwargs):
                placements.append(kwargs.get("shop"))
                return original(*args, **kwargs)

            with patch.object(scheduling, "plan_backward", counting):
                second = self._order(self.stool, quantity=8, commitment=PROMISE)
            self.assertEqual(len([shop for shop in placements if shop]), 1, "one placement, no retry")
            self.assertGreaterEqual(self._assembly(second).date_start, taken_until)
            self.assertEqual(self._step(second, "production").capacity_state, "late")
            self.assertFalse(overlaps(self._workorders(first | second)))

    def test_the_full_re_plan_gives_urgent_orders_the_work_center_first(self):
        """An urgent order confirmed after a normal one: the manager's re-plan gives it the
        slot nearest its promise, the normal one moves earlier. A plain user cannot."""
        self._finite()
        with freeze_time(T0):
            normal = self._order(self.stool, quantity=16, commitment=PROMISE)
            urgent = self._order(self.stool, quantity=16, commitment=PROMISE, confirm=False)
            urgent.with_user(self.salesperson).backward_priority = "1"
            urgent.with_user(self.salesperson).action_confirm()
            self.assertGreater(self._assembly(normal).date_start, self._assembly(urgent).date_start)
            before = self._workorders(normal | urgent).read(["date_start"])
            with self.assertRaises(AccessError):
                self.env["backward.capacity"].with_user(self.planner_user).action_replan_capacity()
            self.assertEqual(self._workorders(normal | urgent).read(["date_start"]), before)
            self.env["backward.capacity"].with_user(self.manager).action_replan_capacity()
            self.assertGreater(self._assembly(urgent).date_start, self._assembly(normal).date_start)
            self.assertFalse(overlaps(self._workorders(normal | urgent)))

    def test_the_scheduled_re_plan_takes_its_queue_most_urgent_first(self):
        """A full re-plan too long to place at once: the scheduled action places a chunk per
        call, in the order ranked when the re-plan started (urgent, then earliest promise)."""
        self._finite()
        with freeze_time(T0):
            later = self._order(self.stool, quantity=8, commitment=PROMISE)
            sooner = self._order(self.stool, quantity=8, commitment=PROMISE - timedelta(days=3))
            urgent = self._order(self.stool, quantity=8, commitment=PROMISE, confirm=False)
            urgent.with_user(self.salesperson).backward_priority = "1"
            urgent.with_user(self.salesperson).action_confirm()
            capacity = self.env["backward.capacity"].sudo()
            with (
                patch.object(backward_capacity_replan, "REPLAN_CHUNK", 1),
                patch.object(backward_capacity_replan, "INLINE_CHUNKS", 0),
            ):
                self.assertEqual(capacity._replan_companies(self.company), 3)
                self.assertEqual(capacity._waiting_orders(self.company).ids, (urgent | sooner | later).ids)
                remaining = []
                for _call in range(3):
                    remaining.append(capacity._cron_replan_capacity())
                    placed = (urgent | sooner | later)[: len(remaining)]
                    waiting = capacity._waiting_orders(self.company)
                    self.assertFalse(placed & waiting, "a placed order waits no more")
                self.assertEqual(remaining, [2, 1, 0])
            self.assertFalse(capacity._waiting_orders(self.company))
        self.assertFalse(overlaps(self._workorders(urgent | sooner | later)))
        self.assertTrue(all(self._workorders(urgent | sooner | later).mapped("date_start")))

    def test_an_alternative_work_center_takes_the_overflow(self):
        self._finite()
        second = self.env["mrp.workcenter"].create(
            {"name": "Assembly 2", "resource_calendar_id": self.shifts.id, "company_id": self.company.id}
        )
        self.assembly.alternative_workcenter_ids = second
        with freeze_time(T0):
            orders = self._order(self.stool, quantity=16, commitment=PROMISE)
            orders |= self._order(self.stool, quantity=16, commitment=PROMISE)
        workorders = self._workorders(orders)
        self.assertEqual(workorders.workcenter_id, self.assembly | second)
        self.assertEqual(len(set(workorders.mapped("date_finished"))), 1, "side by side, just in time")
        self.assertFalse(overlaps(workorders))

    def test_the_quotation_check_offers_what_the_load_allows(self):
        """Capable to promise: the same quotation's earliest date moves once the assembly
        is loaded by confirmed orders."""
        self._finite()
        with freeze_time(T0):
            quotation = self._order(self.stool, quantity=16, commitment=datetime(2026, 6, 2, 20, 0), confirm=False)
            quotation.with_user(self.salesperson).action_backward_check_feasibility()
            free = quotation.backward_earliest_date
            for _index in range(2):
                self._order(self.stool, quantity=16, commitment=datetime(2026, 6, 3, 20, 0))
            result = quotation.with_user(self.salesperson).action_backward_check_feasibility()
            self.assertGreater(quotation.backward_earliest_date, free + timedelta(hours=20))
            self.assertFalse(quotation.backward_is_feasible)
            self.assertIn(self.assembly.name, result["params"]["message"])

    def test_the_load_view_shows_planned_hours_against_available_ones(self):
        """Two slots planned by hand on the same Friday morning: the day is overloaded."""
        with freeze_time(T0):
            orders = self._order(self.stool, quantity=8, commitment=PROMISE)
            orders |= self._order(self.stool, quantity=8, commitment=PROMISE)
            friday = datetime(2026, 6, 26, 4, 0)
            for production in orders.sudo().backward_deadline_ids.production_id:
                production.workorder_ids.with_user(self.planner_user).write(
                    {"date_start": friday, "date_finished": friday + timedelta(hours=8)}
                )
            action = self.env["backward.capacity.load"].with_user(self.planner_user).action_open()
            rows = self.env["backward.capacity.load"].search(action["domain"])
        friday_row = rows.filtered(lambda row: row.workcenter_id == self.assembly and str(row.date) == "2026-06-26")
        self.assertEqual((friday_row.hours_available, friday_row.hours_planned), (16.0, 16.0))
        self.assertFalse(friday_row.overloaded, "two slots of 8 hours fill 16 available hours")
        # both in the morning shift: they overlap, yet fill the day's two shifts exactly;
        # a third slot the same day loads it past what it has
        with freeze_time(T0):
            third = self._order(self.stool, quantity=8, commitment=PROMISE)
            self._assembly(third).with_user(self.planner_user).write(
                {"date_start": friday, "date_finished": friday + timedelta(hours=8)}
            )
            self.env["backward.capacity.load"].with_user(self.planner_user).action_open()
        friday_row = self.env["backward.capacity.load"].search(
            [("workcenter_id", "=", self.assembly.id), ("date", "=", "2026-06-26")]
        )
        self.assertTrue(friday_row.overloaded)
        self.assertEqual(friday_row.hours_planned, 24.0)

    def test_a_client_cannot_forge_a_placement(self):
        """The placed slot marks what the planner may move: nobody else writes it."""
        self._finite()
        with freeze_time(T0):
            order = self._order(self.stool, quantity=8, commitment=PROMISE)
        workorder = self._assembly(order)
        placed = workorder.backward_capacity_start
        with self.assertRaises(AccessError):
            workorder.with_user(self.planner_user).write({"backward_capacity_start": datetime(2026, 6, 1, 8, 0)})
        self.assertEqual(workorder.backward_capacity_start, placed)
        with self.assertRaises(AccessError):
            self.env["backward.deadline"].with_user(self.salesperson).browse(self._step(order, "production").id).write(
                {"capacity_state": False}
            )

    def test_back_to_infinite_capacity_the_steps_say_nothing_of_capacity(self):
        """The slots already placed stay (Odoo's planned dates); the plan stops claiming them."""
        self._finite()
        with freeze_time(T0):
            orders = self._order(self.stool, quantity=16, commitment=PROMISE)
            orders |= self._order(self.stool, quantity=16, commitment=PROMISE)
            self.assertEqual(self._step(orders[1], "production").capacity_state, "moved")
            slots = self._workorders(orders).read(["date_start", "date_finished"])
            with Form(self.env["res.config.settings"].with_user(self.manager)) as settings:
                settings.backward_capacity = "infinite"
            orders.with_user(self.salesperson).action_backward_plan()
        self.assertFalse(any(orders.sudo().backward_deadline_ids.mapped("capacity_state")))
        self.assertEqual(self._workorders(orders).read(["date_start", "date_finished"]), slots)

    def test_the_scheduled_action_re_plans_every_finite_company(self):
        """The daily action places an order that was confirmed before finite capacity was chosen."""
        with freeze_time(T0):
            order = self._order(self.stool, quantity=8, commitment=PROMISE)
            self.assertFalse(self._assembly(order).date_start)
            self.company.backward_capacity = "finite"
            self.env.ref("backward_capacity.ir_cron_backward_capacity").method_direct_trigger()
        workorder = self._assembly(order)
        self.assertTrue(workorder.date_start)
        self.assertEqual(workorder.backward_capacity_start, workorder.date_start)
        self.assertLessEqual(workorder.date_finished, self._step(order, "production").date_deadline)

    def test_the_shop_floor_works_a_placed_order_as_usual(self):
        """Started and finished through Odoo's buttons: the placed slots are Odoo's own."""
        self._finite()
        with freeze_time(T0):
            order = self._order(self.stool, quantity=8, commitment=PROMISE)
        production = self._step(order, "production").production_id.with_user(self.planner_user)
        start = self._assembly(order).date_start
        with freeze_time(start + timedelta(minutes=5)):
            production.workorder_ids.button_start()
            self.assertEqual(production.state, "progress")
        with freeze_time(start + timedelta(hours=8)):
            with Form(production) as form:
                form.qty_producing = production.product_qty
            production.button_mark_done()
            self.assertEqual(production.state, "done")
            self.assertEqual(production.workorder_ids.mapped("state"), ["done"])
            self.env["backward.capacity"].with_user(self.manager).action_replan_capacity()
        self.assertEqual(self._step(order, "production").state, "done")
