from odoo import fields, models


class BackwardReviewWizard(models.TransientModel):
    """The words a dispute or a waiver needs."""

    _name = "backward.review.wizard"
    _description = "Dispute or Waive a Review"

    review_id = fields.Many2one("backward.review", required=True, ondelete="cascade")
    action = fields.Selection([("dispute", "Dispute"), ("waive", "Waive")], required=True, default="dispute")
    explanation = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if self.action == "dispute":
            self.review_id.action_dispute(self.explanation)
        else:
            self.review_id.action_waive(self.explanation)
        return {"type": "ir.actions.act_window_close"}
