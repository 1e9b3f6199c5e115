"""The quotation check and the owners, at the default settings: what the plan will be.

A quotation checked gives the dates its confirmed plan gets; the vendor price list for the
quantity sets a purchase's lead time; a manufacturing order without a Responsible still
has an owner.
"""

from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import DefaultsCase

T0 = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Brussels
PROMISE = datetime(2026, 6, 26, 15, 0)  # Friday 17:00


@tagged("post_install", "-at_install")
class TestQuotationCheck(DefaultsCase):
    """The plan a quotation would get, and who answers for each step."""

    def test_the_quotation_check_gives_the_dates_of_the_confirmed_plan(self):
        """Checked as a quotation, then confirmed: the same earliest date and the same deadlines."""
        with freeze_time(T0):
            quotation = self._order(commitment=datetime(2026, 6, 10, 15, 0), confirm=False)
            result = self.env["backward.simulation"]._simulate_order(quotation)
            chain = result["chain"]
            simulated = sorted(
                (chain.steps[key].kind, chain.steps[key].name.split("] ")[-1], deadline)
                for key, deadline in result["deadlines"].items()
            )
            quotation.with_user(self.salesperson).action_confirm()
            confirmed = sorted(
                (
                    deadline.kind,
                    deadline.product_id.name if deadline.kind == "production" or deadline.kind == "purchase" else "",
                    deadline.date_deadline,
                )
                for deadline in quotation.backward_deadline_ids
            )
            normalised = sorted(
                (kind, name if kind in ("production", "purchase") else "", deadline)
                for kind, name, deadline in simulated
            )
            self.assertEqual(normalised, confirmed)
            self.assertEqual(quotation.backward_earliest_date, result["earliest"])
            self.assertEqual(quotation.backward_is_feasible, result["feasible"])

    def test_the_vendor_price_list_for_the_quantity_sets_the_lead_time(self):
        """Odoo's _select_seller: twenty wheels come from the bulk price list, twelve days."""
        self.env["product.supplierinfo"].create(
            {
                "partner_id": self.vendor.id,
                "product_tmpl_id": self.wheel.product_tmpl_id.id,
                "min_qty": 20,
                "price": 8,
                "delay": 12,
            }
        )
        with freeze_time(T0):
            quotation = self._order(quantity=10, commitment=datetime(2026, 7, 31, 15, 0), confirm=False)
            result = self.env["backward.simulation"]._simulate_order(quotation)
            quotation.with_user(self.salesperson).action_confirm()
            wheels = self._step(quotation, "purchase", self.wheel)
            self.assertEqual(wheels.duration_hours, 12 * 24)
            simulated = next(
                deadline
                for key, deadline in result["deadlines"].items()
                if result["chain"].steps[key].kind == "purchase" and "Wheel" in result["chain"].steps[key].name
            )
            self.assertEqual(simulated, wheels.date_deadline)

    def test_a_manufacturing_order_without_responsible_has_an_owner(self):
        """No Responsible: the work center's owner answers; without one, the manufacturing manager."""
        foreman = self.env["res.users"].create({"name": "Foreman", "login": "bm_foreman"})
        self.assembly.backward_owner_id = foreman
        manager = self.env["res.users"].create({"name": "Plant Manager", "login": "bm_plant_manager"})
        self.company.backward_production_owner_id = manager
        with freeze_time(T0):
            order = self._order(commitment=PROMISE)
            bike, frame = self._step(order, "production", self.bike), self._step(order, "production", self.frame)
            self.assertFalse(bike.production_id.user_id)
            self.assertEqual((bike.user_id, bike.owner_source), (foreman, "workcenter"))
            self.assertEqual((frame.user_id, frame.owner_source), (manager, "manager"))
            self.assertEqual(bike.downstream_link_ids.upstream_user_id, foreman)
            team_lead = self.env["res.users"].create({"name": "Welding Lead", "login": "bm_welding_lead"})
            self.welding.backward_team_id = self.env["backward.team"].create(
                {"name": "Welding", "manager_id": team_lead.id}
            )
            order.action_backward_plan()
            self.assertEqual((frame.user_id, frame.owner_source), (team_lead, "team"))
