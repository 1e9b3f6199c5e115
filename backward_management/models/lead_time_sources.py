"""The records the cached lead times are read from: changing them clears the cache."""

from odoo import models


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


class ProductSupplierinfo(models.Model):
    _name = "product.supplierinfo"
    _inherit = ["product.supplierinfo", "backward.cache.mixin"]
