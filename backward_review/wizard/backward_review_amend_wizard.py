from odoo import Command, api, fields, models


class BackwardReviewAmendWizard(models.TransientModel):
    """The decider's new shares of a disputed review, and the reason of the amendment.

    The form only gathers them: ``backward.review.action_amend_shares`` checks who acts,
    the state and every share, then writes the lines and the chatter.
    """

    _name = "backward.review.amend.wizard"
    _description = "Amend the Shares of a Disputed Review"

    review_id = fields.Many2one("backward.review", required=True, readonly=True, ondelete="cascade")
    # read as the user who opens the form: a manager sees no line a rule hides from them
    line_ids = fields.One2many(
        "backward.review.amend.wizard.line",
        "wizard_id",
        string="Shares",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        compute_sudo=False,
    )
    reason = fields.Text(required=True, help="Why the shares are amended: kept in the review's chatter.")

    @api.depends("review_id")
    def _compute_line_ids(self):
        for wizard in self:
            lines = wizard.review_id.penalty_ids.filtered(lambda penalty: penalty.state == "proposed")
            wizard.line_ids = [Command.clear()] + [
                Command.create({"penalty_id": line.id, "share": line.share}) for line in lines
            ]

    def action_confirm(self):
        """Amend the review's shares as given in the form."""
        self.ensure_one()
        self.review_id.action_amend_shares({line.penalty_id.id: line.share for line in self.line_ids}, self.reason)
        return {"type": "ir.actions.act_window_close"}


class BackwardReviewAmendWizardLine(models.TransientModel):
    _name = "backward.review.amend.wizard.line"
    _description = "Amended Share of a Penalty Line"

    wizard_id = fields.Many2one("backward.review.amend.wizard", required=True, ondelete="cascade")
    penalty_id = fields.Many2one("backward.penalty", string="Penalty Line", required=True, readonly=True)
    # read with the user's rights, never as superuser: a forged line id shows nothing
    party_name = fields.Char(related="penalty_id.party_name", compute_sudo=False)
    link_id = fields.Many2one(related="penalty_id.link_id", compute_sudo=False)
    share_before = fields.Float("Share Before (%)", related="penalty_id.share", compute_sudo=False)
    share = fields.Float("New Share (%)")
