import pytz
from freezegun import freeze_time

from odoo.tests import tagged

from .common import BackwardCase

BRUSSELS = pytz.timezone("Europe/Brussels")


def local(moment):
    """A stored UTC datetime as Brussels wall-clock text."""
    return (
        pytz.utc.localize(moment).astimezone(BRUSSELS).strftime("%a %d %H:%M") if moment else None
    )


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
        by_name = {
            link.upstream_id.product_id.name or link.upstream_id.kind: link for link in links
        }
        self.assertEqual(by_name["Frame"].downstream_id.product_id, self.bike)
        self.assertEqual(by_name["Frame"].buffer_hours, 2.0)
        self.assertEqual(by_name["Wheel"].buffer_hours, 8.0)
        self.assertEqual(by_name["delivery"].downstream_id.kind, "customer")
        self.assertEqual(by_name["delivery"].downstream_user_id, self.salesperson)
        self.assertTrue(all(link.sale_order_id == order for link in links))
        self.assertTrue(all(link.state == "open" for link in links))
        self.assertEqual(by_name["Tube"].slack_hours, 8.0)
