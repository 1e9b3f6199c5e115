from odoo import models


class BackwardDocumentMixin(models.AbstractModel):
    _inherit = "backward.document.mixin"

    def action_view_backward_timeline(self):
        """The timeline of every chain this document belongs to."""
        return self.env["backward.timeline"]._action(self)
