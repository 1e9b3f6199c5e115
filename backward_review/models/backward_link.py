from odoo import fields, models


class BackwardLink(models.Model):
    _inherit = "backward.link"

    review_ids = fields.One2many(
        "backward.review", "link_id", string="Reviews", groups="backward_plan.backward_management_group_user"
    )
    review_count = fields.Integer(
        compute="_compute_review_count", groups="backward_plan.backward_management_group_user"
    )

    def _compute_review_count(self):
        # the reviews this user may read
        counts = dict(self.env["backward.review"]._read_group([("link_id", "in", self.ids)], ["link_id"], ["__count"]))
        for link in self:
            link.review_count = counts.get(link, 0)

    def action_open_review(self):
        """Open the review of this late handover, creating it (with its proposed penalties)."""
        self.ensure_one()
        review = self.env["backward.review"].search([("link_id", "=", self.id)], limit=1)
        if not review:
            review = self.env["backward.review"].create({"link_id": self.id})
            review.action_propose_penalties()
        return {
            "type": "ir.actions.act_window",
            "res_model": "backward.review",
            "res_id": review.id,
            "view_mode": "form",
            "name": review.name,
        }
