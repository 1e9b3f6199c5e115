"""The lead-time hook: the facts each kind of step lasts, read from Odoo's own hooks.

Vendors come from ``product.product._select_seller`` (quantity, date, unit, vendor), the
days of purchase, manufacture and pull rules from ``stock.rule._get_lead_days``, work
orders from their expected duration (a quotation's from ``_get_duration_expected`` of the
operations): so another addon's override of those counts here too. An addon may also
override the methods of this model. The durations themselves are computed from these
facts in ``scheduling/leadtime.py``, for the plan, the quotation check and the watch alike.

The facts are kept in Odoo's cache per product, vendor, quantity, date, rule and bill of
materials: re-planning an order costs no query for them. Changing a vendor's price list, a
rule, a route, a bill of materials, a warehouse or a company's lead times clears it.
"""

from odoo import _, api, models, tools

from ..scheduling.leadtime import ProductionFacts


class BackwardLeadTime(models.AbstractModel):
    _name = "backward.lead.time"
    _description = "Backward Management Lead Times"

    # ------------------------------------------------------------ Odoo's own hooks

    @api.model
    def _rule_delays(self, rule, product, **values):
        """Odoo's lead days of ``rule`` for ``product``; the stock visibility horizon is not a lead time."""
        delays, _description = rule.with_context(
            bypass_delay_description=True, global_visibility_days=0
        )._get_lead_days(product, **values)
        return delays

    @api.model
    def _rule_days(self, rule, product):
        """The days a transfer made by ``rule`` takes: a pull rule's lead days, a push rule's delay."""
        if not rule:
            return 0.0
        if rule.action in ("pull", "pull_push"):
            return self._rule_delays(rule, product)["total_delay"]
        return rule.delay or 0.0

    @api.model
    def _push_days(self, warehouse, source_location):
        """The delays of the deliveries Odoo will push after a transfer leaving ``source_location``."""
        rules = warehouse.delivery_route_id.rule_ids.filtered(
            lambda rule: rule.action in ("push", "pull_push") and rule.location_src_id != source_location
        )
        return sum(rules.mapped("delay"))

    @api.model
    def _seller(self, product, partner=None, quantity=None, uom=None, date=None, company=None):
        """The vendor price list Odoo would use (``_select_seller``) in ``company``.

        Odoo selects among the price lists of the current company, so the product is read in
        the order's company, not the user's. For a given vendor, its own price list even
        outside its quantities or dates (its lead time still holds); without a vendor (a
        quotation), the product's first one of that company.
        """
        if company:
            product = product.with_company(company)
        seller = product._select_seller(partner_id=partner or False, quantity=quantity, date=date, uom_id=uom or False)
        if seller:
            return seller
        own = product.seller_ids.filtered(lambda info: not info.company_id or info.company_id == product.env.company)
        if partner:
            return own.filtered(lambda info: info.partner_id == partner)[:1]
        return own[:1]

    @api.model
    def _buy_rule(self, warehouse, company):
        rule = warehouse.buy_pull_id
        if not rule:
            rule = self.env["stock.rule"].search([("action", "=", "buy"), ("company_id", "=", company.id)], limit=1)
        return rule

    @api.model
    def _manufacture_rule(self, warehouse, company):
        rule = warehouse.manufacture_pull_id
        if not rule:
            rule = self.env["stock.rule"].search(
                [("action", "=", "manufacture"), ("company_id", "=", company.id)], limit=1
            )
        return rule

    # ---------------------------------------------------------------- per kind

    @api.model
    def _purchase_days(self, product, seller, warehouse, company):
        """(days, warning) of a purchase: the vendor's lead time and the company's purchase days."""
        if not seller:
            return 0.0, _("No vendor price list for this vendor: planned with no vendor lead time.")
        rule = self._buy_rule(warehouse, company)
        if rule:
            return self._rule_delays(rule, product, supplierinfo=seller)["total_delay"], ""
        return seller.delay + company.po_lead + company.days_to_purchase, ""

    @api.model
    def _production_days(self, product, bom, warehouse, company):
        """(prepare, produce, security, other) days of making ``product`` with ``bom``.

        Odoo's days of manufacture are split by kind: preparing components and the
        security lead are working days of the company, pre-production transfers elapse.
        """
        rule = self._manufacture_rule(warehouse, company)
        prepare = bom.days_to_prepare_mo if bom else 0.0
        if rule and bom:
            delays = self._rule_delays(rule, product, bom=bom)
            produce, security = delays["manufacture_delay"], delays["security_lead_days"]
            return prepare, produce, security, max(delays["total_delay"] - produce - security - prepare, 0.0)
        return prepare, (bom.produce_delay if bom else 0.0), company.manufacturing_lead, 0.0

    @api.model
    def _production_facts(self, product, bom, warehouse, company, operations):
        """The :class:`ProductionFacts` of making ``product`` with ``bom`` and ``operations``
        (``((calendar key, minutes), ...)`` of its work orders)."""
        calendar = company.resource_calendar_id
        prepare, produce, security, other = self._production_days(product, bom, warehouse, company)
        return ProductionFacts(
            company_calendar=(calendar.id, False),
            hours_per_day=calendar.hours_per_day or 8.0,
            prepare_days=prepare,
            operations=tuple(operations),
            produce_days=produce,
            security_days=security,
            rule_days=other,
        )

    @api.model
    def _workcenter_calendar(self, workcenter, company):
        calendar = workcenter.resource_calendar_id or company.resource_calendar_id
        return (calendar.id, workcenter.resource_id.id or False)

    @api.model
    def _quotation_operations(self, bom, product, quantity, company):
        """The work orders Odoo would create to make ``quantity`` of ``product`` (their minutes)."""
        return tuple(
            (
                self._workcenter_calendar(operation.workcenter_id, company),
                operation._get_duration_expected(product, quantity),
            )
            for operation in bom.operation_ids
            if not operation._skip_operation_line(product)
        )

    @api.model
    def _quotation_workorders(self, bom, product, quantity):
        """The work orders of :meth:`_quotation_operations` as finite capacity places them:
        ``((work center id, minutes), ...)`` each, its own work center then its alternatives."""
        return [
            tuple(
                (workcenter.id, operation._get_duration_expected(product, quantity, workcenter=workcenter))
                for workcenter in operation.workcenter_id | operation.workcenter_id.alternative_workcenter_ids
            )
            for operation in bom.operation_ids
            if not operation._skip_operation_line(product)
        ]

    # ------------------------------------------- the same facts, cached by their ids

    @api.model
    @tools.ormcache("rule_id", "product_id")
    def _cached_rule_days(self, rule_id, product_id):
        return self._rule_days(self.env["stock.rule"].browse(rule_id), self.env["product.product"].browse(product_id))

    @api.model
    @tools.ormcache("warehouse_id", "location_id")
    def _cached_push_days(self, warehouse_id, location_id):
        return self._push_days(
            self.env["stock.warehouse"].browse(warehouse_id), self.env["stock.location"].browse(location_id)
        )

    @api.model
    @tools.ormcache("product_id", "partner_id", "quantity", "uom_id", "date", "warehouse_id", "company_id")
    def _cached_purchase_days(self, product_id, partner_id, quantity, uom_id, date, warehouse_id, company_id):
        """(days, warning) of buying ``quantity`` of a product from a vendor, on ``date``."""
        product = self.env["product.product"].browse(product_id)
        company = self.env["res.company"].browse(company_id)
        seller = self._seller(
            product,
            self.env["res.partner"].browse(partner_id),
            quantity,
            self.env["uom.uom"].browse(uom_id),
            date,
            company=company,
        )
        return self._purchase_days(
            product,
            seller,
            self.env["stock.warehouse"].browse(warehouse_id),
            company,
        )

    @api.model
    @tools.ormcache("product_id", "bom_id", "warehouse_id", "company_id")
    def _cached_production_days(self, product_id, bom_id, warehouse_id, company_id):
        """(calendar id, hours a day, prepare, produce, security, other days) of a manufacturing order."""
        company = self.env["res.company"].browse(company_id)
        days = self._production_days(
            self.env["product.product"].browse(product_id),
            self.env["mrp.bom"].browse(bom_id),
            self.env["stock.warehouse"].browse(warehouse_id),
            company,
        )
        calendar = company.resource_calendar_id
        return (calendar.id, calendar.hours_per_day or 8.0, *days)

    @api.model
    def _cached_production_facts(self, product_id, bom_id, warehouse_id, company_id, operations):
        calendar_id, per_day, prepare, produce, security, other = self._cached_production_days(
            product_id, bom_id or False, warehouse_id or False, company_id
        )
        return ProductionFacts(
            company_calendar=(calendar_id, False),
            hours_per_day=per_day,
            prepare_days=prepare,
            operations=tuple(operations),
            produce_days=produce,
            security_days=security,
            rule_days=other,
        )
