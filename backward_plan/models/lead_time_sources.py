"""The records the cached lead times are read from: changing them clears the cache, and a
change of a duration re-plans the open orders that count on it (see backward.replanner)."""

from odoo import _, models

# the fields whose change moves a plan
BOM_DURATIONS = {"produce_delay", "days_to_prepare_mo", "product_qty", "bom_line_ids", "operation_ids"}
VENDOR_DURATIONS = {"delay", "min_qty", "date_start", "date_end", "partner_id", "company_id"}


class StockRule(models.Model):
    _name = "stock.rule"
    _inherit = ["stock.rule", "backward.cache.mixin"]


class StockRoute(models.Model):
    _name = "stock.route"
    _inherit = ["stock.route", "backward.cache.mixin"]


class StockWarehouse(models.Model):
    _name = "stock.warehouse"
    _inherit = ["stock.warehouse", "backward.cache.mixin"]


class MrpBom(models.Model):
    _name = "mrp.bom"
    _inherit = ["mrp.bom", "backward.cache.mixin"]

    def write(self, vals):
        result = super().write(vals)
        if BOM_DURATIONS & set(vals):
            self._backward_touch()
        return result

    def _backward_touch(self):
        products = self.product_id | self.product_tmpl_id.product_variant_ids
        self.env["backward.replanner"]._touch(
            "production",
            products.ids,
            reason=_("the bill of materials of %(product)s changed", product=products[:1].display_name),
        )


class MrpRoutingWorkcenter(models.Model):
    """An operation's duration or work center changed: its bill of materials' plans move."""

    _inherit = "mrp.routing.workcenter"

    def write(self, vals):
        result = super().write(vals)
        if {"time_cycle_manual", "time_mode", "time_mode_batch", "workcenter_id"} & set(vals):
            self.bom_id._backward_touch()
        return result


class ProductSupplierinfo(models.Model):
    _name = "product.supplierinfo"
    _inherit = ["product.supplierinfo", "backward.cache.mixin"]

    def write(self, vals):
        result = super().write(vals)
        if VENDOR_DURATIONS & set(vals):
            products = self.product_id | self.product_tmpl_id.product_variant_ids
            self.env["backward.replanner"]._touch(
                "purchase",
                products.ids,
                reason=_("a vendor lead time of %(product)s changed", product=products[:1].display_name),
            )
        return result
