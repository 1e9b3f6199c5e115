"""Feasibility of a quotation: the chain its confirmation would create, simulated.

A quotation has no documents yet, so its chain is derived the way Odoo's procurement
would create it at confirmation: the stock rules Odoo would apply (``_get_rule``) from the
customer upstream, the bills of materials and the vendors. Each step then lasts what the
planner would give it: the same lead-time hook (``backward.lead.time``), the same
``scheduling.leadtime`` functions, the same core. A quotation and its confirmed plan give
the same dates. Nothing is written.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..scheduling import from_timestamp, hours_late, leadtime, to_timestamp
from ..scheduling.chain import SALE, Chain, ChainStep, step_key

# Deep enough for any real product structure, shallow enough to stop a BoM loop.
MAX_BOM_DEPTH = 30


class BackwardSimulation(models.AbstractModel):
    _name = "backward.simulation"
    _description = "Backward Planning of a Quotation"

    @api.model
    def _simulate_order(self, order):
        """Earliest delivery and feasibility of ``order`` from its products' structure.

        Runs as superuser: a salesperson may check a quotation without manufacturing or
        purchase rights; only dates come out. It runs in the order's company, as Odoo
        procures it: a product's production location and price lists are per company.
        """
        # sudo: a salesperson checks a quotation without manufacturing or purchase rights
        simulation = self.sudo().with_company(order.company_id)
        return simulation._simulate(order.with_env(simulation.env))

    def _simulate(self, order):
        company = order.company_id
        if not company.resource_calendar_id:
            raise UserError(_("The company %(company)s has no working calendar.", company=company.name))
        chain = Chain()
        customer = ChainStep(step_key(SALE, order.id), SALE, order.id, orders={order.id})
        customer.kind = "customer"
        customer.company_id = company.id
        customer.name = order.name
        customer.calendar_key = (company.resource_calendar_id.id, False)
        customer.promise = order.commitment_date or order.expected_date
        chain.steps[customer.key] = customer
        lines = order.order_line.filtered(lambda line: line.product_id.type == "consu" and not line.display_type)
        if not lines:
            raise UserError(
                _(
                    "The quotation %(order)s has no goods to deliver: there is no chain to plan.",
                    order=order.name,
                )
            )
        location = order.partner_shipping_id.property_stock_customer
        for line in lines:
            # Odoo procures in the product's unit, whatever unit the line is sold in
            quantity = line.product_uom._compute_quantity(line.product_uom_qty, line.product_id.uom_id)
            self._add_supply(
                chain, customer, line.product_id, quantity, location, order.warehouse_id, company, (), line
            )
        now = to_timestamp(fields.Datetime.now())
        if not customer.promise:
            # no date asked: the forward pass alone says when the order can be served
            customer.promise = from_timestamp(now)
        plan, forward, _core = self.env["backward.planner"]._compute(chain, {}, now)
        earliest = from_timestamp(forward[customer.key].finish)
        promise = order.commitment_date or order.expected_date
        lateness = hours_late(forward[customer.key].finish, to_timestamp(promise)) if promise else 0.0
        starts_past = any(dates.start < now for key, dates in plan.steps.items() if chain.steps[key].kind != "customer")
        return {
            "earliest": earliest,
            "lateness_hours": round(lateness, 2),
            "feasible": bool(promise) and lateness <= 0 and not starts_past,
            "steps": len(chain.steps) - 1,
            "deadlines": {key: from_timestamp(dates.finish) for key, dates in plan.steps.items()},
            # finite capacity: the work center that holds the order back, when one does
            "bottleneck": self.env["mrp.workcenter"].browse(
                [dates.bottleneck for dates in plan.capacity.values() if dates.late][:1]
            ),
            "chain": chain,
        }

    def _add_step(self, chain, key, kind, company, name, downstream):
        step = ChainStep(key, "simulation", 0)
        step.kind = kind
        step.company_id = company.id
        step.name = name
        step.calendar_key = (company.resource_calendar_id.id, False)
        chain.steps[key] = step
        chain.edges.add((key, downstream.key))
        return step

    def _rules(self, product, location, warehouse, line=None):
        """The rules Odoo would apply to bring ``product`` to ``location``, downstream first."""
        rules = self.env["stock.rule"]
        routes = line.route_id if line else self.env["stock.route"]
        while location:
            rule = self.env["procurement.group"]._get_rule(
                product, location, {"route_ids": routes, "warehouse_id": warehouse}
            )
            if not rule or rule in rules:
                break
            rules |= rule
            if rule.action not in ("pull", "pull_push") or rule.procure_method != "make_to_order":
                break
            location, warehouse = rule.location_src_id, rule.propagate_warehouse_id or warehouse
        return rules

    def _add_supply(self, chain, downstream, product, quantity, location, warehouse, company, path, line=None):
        """The steps that bring ``product`` to ``downstream``: transfers, then what makes or buys it.

        Without any rule, or ending on a rule that takes it from stock, nothing is planned
        upstream: Odoo creates no document for it either.
        """
        rules = self._rules(product, location, warehouse, line)
        to_customer = downstream.kind == "customer"
        for rule in rules:
            if rule.action in ("pull", "pull_push"):
                if rule.picking_type_id.code == "mrp_operation":
                    continue  # the components' move of a manufacturing order is that order
                downstream = self._add_transfer(chain, downstream, product, rule, warehouse, company, to_customer)
                to_customer = False
            elif rule.action == "manufacture":
                self._add_production(chain, downstream, product, quantity, rule, warehouse, company, path)
            elif rule.action == "buy":
                self._add_purchase(chain, downstream, product, quantity, warehouse, company)
        last = rules[-1:]
        if last.action in ("pull", "pull_push") and last.procure_method == "make_to_order":
            raise UserError(
                _(
                    "%(product)s is made or bought to order, but has neither a bill of materials nor a vendor: "
                    "add one of them, or take it from stock (remove the “Replenish on Order” route).",
                    product=product.display_name,
                )
            )

    def _add_transfer(self, chain, downstream, product, rule, warehouse, company, to_customer):
        """A transfer made by a pull rule; the one reaching the customer is the delivery."""
        lead_time = self.env["backward.lead.time"]
        delivery = to_customer and rule.picking_type_id.code == "outgoing"
        key = f"transfer,{downstream.key},{product.id},{rule.id}"
        step = self._add_step(chain, key, "delivery" if delivery else "transfer", company, rule.name, downstream)
        security = company.security_lead if to_customer else 0.0
        push = lead_time._push_days(warehouse, rule.location_src_id) if to_customer and not delivery else 0.0
        step.segments = leadtime.transfer_segments(
            step.calendar_key, lead_time._rule_days(rule, product), security, push
        )
        return step

    def _add_production(self, chain, downstream, product, quantity, rule, warehouse, company, path):
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
        bom = self.env["mrp.bom"]._bom_find(product, picking_type=rule.picking_type_id, company_id=company.id)[product]
        if not bom:
            raise UserError(
                _(
                    "%(product)s is made or bought to order, but has neither a bill of materials nor a vendor: "
                    "add one of them, or take it from stock (remove the “Replenish on Order” route).",
                    product=product.display_name,
                )
            )
        lead_time = self.env["backward.lead.time"]
        key = f"production,{downstream.key},{product.id}"
        step = self._add_step(chain, key, "production", company, product.display_name, downstream)
        bom_quantity = product.uom_id._compute_quantity(quantity, bom.product_uom_id)
        operations = lead_time._quotation_operations(bom, product, bom_quantity, company)
        facts = lead_time._production_facts(product, bom, warehouse, company, operations)
        step.segments = leadtime.production_segments(facts)
        step.calendar_key = step.segments[-1][1]
        if operations:
            first = 1 if facts.prepare_days else 0
            self._quotation_capacity(step, (first, first + len(operations)), bom, product, bom_quantity, company)
        components = rule.picking_type_id.default_location_src_id or warehouse.lot_stock_id
        _boms, lines = bom.explode(product, bom_quantity / (bom.product_qty or 1.0))
        for bom_line, line_data in lines:
            self._add_supply(
                chain,
                step,
                bom_line.product_id,
                bom_line.product_uom_id._compute_quantity(line_data["qty"], bom_line.product_id.uom_id),
                product.property_stock_production or components,
                warehouse,
                company,
                path,
            )

    def _quotation_capacity(self, step, span, bom, product, quantity, company):
        """A production of the quotation whose work orders could wait for the load already
        placed (hook: with infinite capacity they do not)."""

    def _add_purchase(self, chain, downstream, product, quantity, warehouse, company):
        lead_time = self.env["backward.lead.time"]
        key = f"purchase,{downstream.key},{product.id}"
        step = self._add_step(chain, key, "purchase", company, product.display_name, downstream)
        seller = lead_time._seller(
            product, quantity=quantity, uom=product.uom_id, date=fields.Date.context_today(self), company=company
        )
        if not seller:
            raise UserError(
                _(
                    "%(product)s is made or bought to order, but has neither a bill of materials nor a vendor: "
                    "add one of them, or take it from stock (remove the “Replenish on Order” route).",
                    product=product.display_name,
                )
            )
        days, step.warning = lead_time._purchase_days(product, seller, warehouse, company)
        step.segments = leadtime.purchase_segments(step.calendar_key, vendor_days=days)
