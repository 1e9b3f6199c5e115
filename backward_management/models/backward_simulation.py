"""Feasibility of a quotation: the chain its confirmation would create, simulated.

A quotation has no documents yet, so its chain is derived from the products' routes,
bills of materials and vendors, the way Odoo's procurement would create them. Once the
order is confirmed the plan is made from the real documents instead.
"""

import math

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..scheduling import HOUR, from_timestamp, to_timestamp
from .backward_planner import Chain, ChainStep, step_key

# Deep enough for any real product structure, shallow enough to stop a BoM loop.
MAX_BOM_DEPTH = 30


class BackwardSimulation(models.AbstractModel):
    _name = "backward.simulation"
    _description = "Backward Planning of a Quotation"

    @api.model
    def _simulate_order(self, order):
        """Earliest delivery and feasibility of ``order`` from its products' structure.

        Runs as superuser: a salesperson may check a quotation without manufacturing or
        purchase rights; only dates come out.
        """
        return self.sudo()._simulate(order.sudo())

    def _simulate(self, order):
        company = order.company_id
        if not company.resource_calendar_id:
            raise UserError(_("The company %(company)s has no working calendar.", company=company.name))
        chain = Chain()
        customer = ChainStep(step_key("sale.order", order.id), "sale.order", order.id, orders={order.id})
        customer.kind = "customer"
        customer.company_id = company.id
        customer.name = order.name
        customer.calendar_key = (company.resource_calendar_id.id, False)
        customer.promise = order.commitment_date or order.expected_date
        chain.steps[customer.key] = customer
        warehouse = order.warehouse_id
        lines = order.order_line.filtered(lambda line: line.product_id.type == "consu" and not line.display_type)
        if not lines:
            raise UserError(
                _(
                    "The quotation %(order)s has no goods to deliver: there is no chain to plan.",
                    order=order.name,
                )
            )
        for line in lines:
            delivery = self._add_step(chain, f"delivery,{line.id}", "delivery", company, line.product_id.display_name)
            days = company.security_lead + sum(warehouse.delivery_route_id.rule_ids.mapped("delay"))
            delivery.segments = [("elapsed", delivery.calendar_key, days * 24)]
            chain.edges.add((delivery.key, customer.key))
            self._add_supply(chain, delivery, line.product_id, line.product_uom_qty, warehouse, company, ())
        now = to_timestamp(fields.Datetime.now())
        if not customer.promise:
            # no date asked: the forward pass alone says when the order can be served
            customer.promise = from_timestamp(now)
        plan, forward, _core = self.env["backward.planner"]._compute(chain, {}, now)
        earliest = from_timestamp(forward[customer.key].finish)
        promise = order.commitment_date or order.expected_date
        lateness = max((earliest - promise).total_seconds() / HOUR, 0.0) if promise else 0.0
        starts_past = any(
            dates.start < now
            for key, dates in plan.steps.items()
            if key != customer.key and chain.steps[key].kind != "customer"
        )
        return {
            "earliest": earliest,
            "lateness_hours": round(lateness, 2),
            "feasible": bool(promise) and lateness <= 0 and not starts_past,
            "steps": len(chain.steps) - 1,
        }

    def _add_step(self, chain, key, kind, company, name):
        step = ChainStep(key, "simulation", 0)
        step.kind = kind
        step.company_id = company.id
        step.name = name
        step.calendar_key = (company.resource_calendar_id.id, False)
        chain.steps[key] = step
        return step

    def _routes(self, product):
        return product.route_ids | product.categ_id.total_route_ids

    def _add_supply(self, chain, downstream, product, quantity, warehouse, company, path):
        """The step that supplies ``product`` made to order, and what feeds it."""
        mto = self.env.ref("stock.route_warehouse0_mto", raise_if_not_found=False)
        routes = self._routes(product)
        if not mto or mto not in routes:
            return  # taken from stock: nothing to plan upstream
        if product.id in path or len(path) > MAX_BOM_DEPTH:
            raise UserError(
                _(
                    "The bills of materials of %(product)s contain themselves (%(path)s): the chain is a loop "
                    "and cannot be planned.",
                    product=product.display_name,
                    path=" → ".join(self.env["product.product"].browse(path).mapped("display_name")),
                )
            )
        path = (*path, product.id)
        manufacture = self.env.ref("mrp.route_warehouse0_manufacture", raise_if_not_found=False)
        buy = self.env.ref("purchase_stock.route_warehouse0_buy", raise_if_not_found=False)
        bom = self.env["mrp.bom"]._bom_find(product, company_id=company.id, bom_type="normal")[product]
        if manufacture in routes and bom:
            self._add_production(chain, downstream, product, quantity, bom, warehouse, company, path)
        elif buy in routes and product.seller_ids:
            self._add_purchase(chain, downstream, product, quantity, warehouse, company)
        else:
            raise UserError(
                _(
                    "%(product)s is made or bought to order, but has neither a bill of materials nor a vendor: "
                    "add one of them, or take it from stock (remove the “Replenish on Order” route).",
                    product=product.display_name,
                )
            )

    def _add_production(self, chain, downstream, product, quantity, bom, warehouse, company, path):
        key = f"production,{downstream.key},{product.id}"
        step = self._add_step(chain, key, "production", company, product.display_name)
        hours_per_day = company.resource_calendar_id.hours_per_day or 8.0
        company_calendar = step.calendar_key
        segments = []
        if bom.days_to_prepare_mo:
            segments.append(("work", company_calendar, bom.days_to_prepare_mo * hours_per_day))
        bom_quantity = bom.product_uom_id._compute_quantity(bom.product_qty, product.uom_id) or 1.0
        for operation in bom.operation_ids:
            workcenter = operation.workcenter_id
            capacity = workcenter._get_capacity(product) or 1.0
            cycles = math.ceil(quantity / capacity)
            minutes = workcenter._get_expected_duration(product) + cycles * operation.time_cycle * 100.0 / (
                workcenter.time_efficiency or 100.0
            )
            calendar = workcenter.resource_calendar_id or company.resource_calendar_id
            segments.append(("work", (calendar.id, workcenter.resource_id.id), minutes / 60.0))
        if not bom.operation_ids:
            segments.append(("work", company_calendar, bom.produce_delay * hours_per_day))
        if company.manufacturing_lead:
            segments.append(("work", company_calendar, company.manufacturing_lead * hours_per_day))
        step.segments = segments
        step.calendar_key = segments[-1][1]
        chain.edges.add((key, downstream.key))
        _boms, lines = bom.explode(product, quantity / bom_quantity)
        for bom_line, line_data in lines:
            self._add_supply(chain, step, bom_line.product_id, line_data["qty"], warehouse, company, path)

    def _add_purchase(self, chain, downstream, product, quantity, warehouse, company):
        seller = product._select_seller(quantity=quantity) or product.seller_ids[:1]
        receipt_days = sum(warehouse.reception_route_id.rule_ids.mapped("delay"))
        if receipt_days:
            receipt = self._add_step(
                chain,
                f"receipt,{downstream.key},{product.id}",
                "receipt",
                company,
                product.display_name,
            )
            receipt.segments = [("elapsed", receipt.calendar_key, receipt_days * 24)]
            chain.edges.add((receipt.key, downstream.key))
            downstream = receipt
        key = f"purchase,{downstream.key},{product.id}"
        step = self._add_step(chain, key, "purchase", company, product.display_name)
        days = company.days_to_purchase + seller.delay + company.po_lead
        step.segments = [("elapsed", step.calendar_key, days * 24)]
        chain.edges.add((key, downstream.key))
