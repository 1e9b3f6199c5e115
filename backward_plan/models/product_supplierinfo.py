from odoo import _, api, models
from odoo.exceptions import ValidationError


class ProductSupplierinfo(models.Model):
    _inherit = "product.supplierinfo"

    @api.constrains("delay")
    def _check_backward_delay(self):
        for info in self:
            if info.delay < 0:
                raise ValidationError(
                    _(
                        "The lead time of %(vendor)s for %(product)s is %(days)s days: a lead time cannot be "
                        "negative. Use 0 when the vendor delivers at once.",
                        vendor=info.partner_id.display_name,
                        product=info.product_tmpl_id.display_name,
                        days=info.delay,
                    )
                )
