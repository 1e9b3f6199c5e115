from odoo import api, fields, models


class BackwardDocumentMixin(models.AbstractModel):
    _inherit = "backward.document.mixin"

    backward_has_late_input = fields.Boolean(compute="_compute_backward_has_late_input")

    @api.depends("backward_deadline_ids.upstream_link_ids.state")
    def _compute_backward_has_late_input(self):
        for record in self:
            record.backward_has_late_input = any(
                link.state in ("late", "done_late") for link in record._backward_live_deadlines().upstream_link_ids
            )

    def action_backward_review_late_input(self):
        """Review a late input of this document: at once when there is one, else pick it."""
        self.ensure_one()
        late = self._backward_live_deadlines().upstream_link_ids.filtered(
            lambda link: link.state in ("late", "done_late")
        )
        if len(late) == 1:
            return late.action_open_review()
        action = self.action_view_backward_links()
        action["domain"] = [("id", "in", late.ids)]
        action["context"] = {}
        return action
