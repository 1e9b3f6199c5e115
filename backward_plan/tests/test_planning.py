from datetime import datetime

import pytz
from freezegun import freeze_time

from odoo.tests import tagged

from .common import BackwardCase

BRUSSELS = pytz.timezone("Europe/Brussels")


def local(moment):
    """A stored UTC datetime as Brussels wall-clock text."""
    return pytz.utc.localize(moment).astimezone(BRUSSELS).strftime("%a %d %H:%M") if moment else None


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 07:00:00")
class TestPlanning(BackwardCase):
    def _steps(self, order):
        deadlines = order.backward_deadline_ids
        by_kind = {}
        for deadline in deadlines:
            label = deadline.product_id.name if deadline.product_id else deadline.kind
            by_kind[f"{deadline.kind}:{label}"] = (
                local(deadline.date_start_deadline),
                local(deadline.date_deadline),
            )
        return by_kind

    def test_confirmation_plans_every_step(self):
        """Confirming an order gives the delivery, both MOs and both purchases a deadline."""
        order = self._order()
        self.assertEqual(
            self._steps(order),
            {
                "customer:customer": ("Fri 19 17:00", "Fri 19 17:00"),
                # one day of security lead before the customer's date, started in office hours
                "delivery:delivery": ("Thu 18 17:00", "Fri 19 17:00"),
                # 2 h of assembly on the two-shift calendar, 2 h of buffer before the delivery
                "production:Bike": ("Thu 18 13:00", "Thu 18 15:00"),
                # 1 h of welding in office hours, 2 h of buffer before the assembly starts
                # (the lunch break 12:00-13:00 is not working time)
                "production:Frame": ("Thu 18 09:00", "Thu 18 10:00"),
                # 8 working hours of buffer, then the vendor's 3 and 5 days, ordered in office hours
                "purchase:Tube": ("Fri 12 17:00", "Wed 17 09:00"),
                "purchase:Wheel": ("Fri 12 13:00", "Wed 17 13:00"),
            },
        )
        self.assertEqual(order.backward_plan_state, "proposed")
        self.assertTrue(order.backward_is_feasible)

    def test_each_handover_is_a_link_with_both_owners(self):
        """Five handovers, each owned upstream and downstream, carrying its buffer."""
        order = self._order()
        links = order.backward_deadline_ids.downstream_link_ids
        self.assertEqual(len(links), 5)
        by_name = {link.upstream_id.product_id.name or link.upstream_id.kind: link for link in links}
        self.assertEqual(by_name["Frame"].downstream_id.product_id, self.bike)
        self.assertEqual(by_name["Frame"].buffer_hours, 2.0)
        self.assertEqual(by_name["Wheel"].buffer_hours, 8.0)
        self.assertEqual(by_name["delivery"].downstream_id.kind, "customer")
        self.assertEqual(by_name["delivery"].downstream_user_id, self.salesperson)
        self.assertTrue(all(link.sale_order_id == order for link in links))
        self.assertTrue(all(link.state == "open" for link in links))
        self.assertEqual(by_name["Tube"].slack_hours, 8.0)

    def test_three_step_delivery_plans_the_steps_to_come(self):
        """Pick, pack, ship: Odoo creates the pick first; the pack and ship delays are planned in it.

        Once the pick is done Odoo pushes the pack, which becomes a step of its own.
        """
        self.warehouse.write({"delivery_steps": "pick_pack_ship"})
        pack_rule = self.warehouse.delivery_route_id.rule_ids.filtered(lambda rule: rule.action == "push")
        pack_rule.write({"delay": 1})  # one day for packing and one for shipping
        order = self._order()
        pick = order.backward_deadline_ids.filtered(lambda d: d.picking_id)
        self.assertEqual(pick.picking_id.picking_type_id, self.warehouse.pick_type_id)
        self.assertEqual(pick.parent_id.kind, "customer")
        # one day of security lead plus one day per push rule still to come
        self.assertEqual(pick.duration_hours, 24 * (1 + len(pack_rule)))
        bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
        self.assertEqual(bike.parent_id, pick)
        self.assertLessEqual(bike.date_deadline, pick.date_start_deadline)

    def test_pushed_pack_step_joins_the_chain(self):
        """When the pick is done, the pack Odoo pushes gets a deadline before the customer's."""
        self.warehouse.write({"delivery_steps": "pick_pack_ship"})
        stocked = self.env["product.product"].create({"name": "Stock bike", "type": "consu", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(stocked, self.warehouse.lot_stock_id, 1)
        order = self._order(product=stocked)
        pick = order.picking_ids.sudo()
        pick.action_assign()
        pick.move_ids.picked = True
        pick.button_validate()
        pack = order.picking_ids - pick
        self.assertTrue(pack, "Odoo pushed the next step")
        steps = order.backward_deadline_ids
        self.assertEqual(steps.filtered(lambda d: d.picking_id == pick).state, "done")
        pack_step = steps.filtered(lambda d: d.picking_id in pack)
        self.assertTrue(pack_step)
        self.assertEqual(pack_step.state, "planned")
        self.assertLessEqual(pack_step.date_deadline, order.commitment_date)

    def test_confirmed_purchase_receipts_join_the_chain(self):
        """Once the purchase is confirmed its receipt is a step between the vendor and the MO."""
        order = self._order()
        purchase = order.sudo().backward_deadline_ids.purchase_id
        purchase.button_confirm()
        receipts = order.backward_deadline_ids.filtered(lambda d: d.kind == "receipt")
        self.assertTrue(receipts)
        wheel = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertEqual(wheel.state, "in_progress")
        live = wheel.downstream_link_ids.filtered(lambda link: link.state != "cancel")
        self.assertEqual(live.downstream_id.kind, "receipt")
        self.assertIn(wheel, live.downstream_id.upstream_link_ids.upstream_id)

    def test_a_purchase_shared_by_two_orders_serves_the_earliest(self):
        """One purchase line for two orders: its deadline is the earlier need; a link per order."""
        first = self._order(commitment=datetime(2026, 6, 19, 15, 0))
        second = self._order(commitment=datetime(2026, 6, 26, 15, 0))
        wheel = first.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertEqual(wheel, second.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel))
        self.assertEqual(wheel.sale_order_ids, first | second)
        self.assertEqual(wheel.sale_order_id, first)
        links = wheel.downstream_link_ids
        self.assertEqual(links.sale_order_id, first | second)
        self.assertEqual(wheel.date_deadline, min(links.mapped("date_deadline")))
        self.assertEqual(links.filtered("is_driving").sale_order_id, first)

    def test_cancelling_one_of_two_orders_frees_the_shared_purchase(self):
        """When the urgent order is cancelled, the shared purchase follows the other one."""
        first = self._order(commitment=datetime(2026, 6, 19, 15, 0))
        second = self._order(commitment=datetime(2026, 6, 26, 15, 0))
        wheel = second.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        before = wheel.date_deadline
        first.with_context(disable_cancel_warning=True).action_cancel()
        self.assertEqual(wheel.state, "planned")
        self.assertEqual(wheel.sale_order_id, second)
        self.assertGreater(wheel.date_deadline, before)
        self.assertEqual(
            wheel.downstream_link_ids.filtered(lambda link: link.state != "cancel").sale_order_id,
            second,
        )

    def test_timezones_and_a_dst_change_inside_the_chain(self):
        """Calendars in Brussels and New York, a user in Tokyo, Europe's spring DST in the chain.

        The wheels are ordered on Friday 27 March (winter time) for Wednesday 1 April
        (summer time): five days of elapsed lead time are 120 real hours although the
        wall clock moved by one hour.
        """
        self.assembly.resource_calendar_id.tz = "America/New_York"
        self.salesperson.tz = "Asia/Tokyo"
        order = self._order(commitment=datetime(2026, 4, 3, 15, 0))  # Friday 17:00 in Brussels
        wheel = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        self.assertEqual((wheel.date_deadline - wheel.date_start_deadline).total_seconds(), 120 * 3600)
        self.assertEqual(local(wheel.date_start_deadline)[-5:], "12:00", "ordered in winter time")
        self.assertEqual(local(wheel.date_deadline)[-5:], "13:00", "received in summer time")
        bike = order.backward_deadline_ids.filtered(lambda d: d.product_id == self.bike)
        new_york = pytz.timezone("America/New_York")
        finish = pytz.utc.localize(bike.date_deadline).astimezone(new_york)
        self.assertTrue(6 <= finish.hour <= 22, "the assembly hands over inside its New York shifts")
        self.assertEqual(bike.calendar_id, self.shifts)

    def test_the_chain_tree_keeps_shared_steps_under_their_most_urgent_need(self):
        """Planning a later order does not unhook a shared purchase from the urgent order's MO."""
        urgent = self._order(commitment=datetime(2026, 6, 19, 15, 0))
        wheels = urgent.backward_deadline_ids.filtered(lambda d: d.product_id == self.wheel)
        parent = wheels.parent_id
        self.assertEqual(parent.product_id, self.bike)
        self._order(commitment=datetime(2026, 6, 26, 15, 0))
        self.assertEqual(wheels.parent_id, parent)
        self.assertIn(wheels, parent.child_ids)
