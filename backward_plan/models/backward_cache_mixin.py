from odoo import api, models


class BackwardCacheMixin(models.AbstractModel):
    """Records the planner caches (calendars, teams): a change clears Odoo's caches."""

    _name = "backward.cache.mixin"
    _description = "Data Cached by the Backward Planner"

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
