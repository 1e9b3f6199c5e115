from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class BackwardPenalty(models.Model):
    """A line of the penalty ledger: who answers for a late handover, and how much.

    Proposed on a review, approved when a manager upholds it. An approved line is never
    edited nor deleted: a correction is a reversing line that says why.
    """

    _name = "backward.penalty"
    _description = "Penalty"
    _order = "create_date desc, id desc"

    review_id = fields.Many2one("backward.review", required=True, index=True, ondelete="restrict")
    link_id = fields.Many2one(
        "backward.link",
        string="Late Link",
        required=True,
        index=True,
        ondelete="restrict",
        help="The late handover this party answers for (the reviewed one or one earlier in the chain).",
    )
    party_type = fields.Selection(
        [("user", "Person"), ("team", "Team"), ("vendor", "Vendor")], required=True, default="user"
    )
    user_id = fields.Many2one("res.users", string="Person", index="btree_not_null")
    team_id = fields.Many2one("backward.team", index="btree_not_null")
    vendor_id = fields.Many2one("res.partner", index="btree_not_null")
    party_name = fields.Char("Party", compute="_compute_party_name", store=True)
    share = fields.Float("Share (%)", default=100.0, help="The part of the lateness this party answers for.")
    lateness_hours = fields.Float("Lateness Added (hours)", readonly=True)
    points = fields.Float()
    amount = fields.Monetary(currency_field="currency_id")
    currency_id = fields.Many2one(related="company_id.currency_id", store=True)
    is_warning = fields.Boolean("Warning Only", help="A first offence: a warning without points nor amount.")
    state = fields.Selection(
        [("proposed", "Proposed"), ("approved", "Approved"), ("dropped", "Dropped")],
        default="proposed",
        required=True,
        readonly=True,
        index=True,
    )
    approved_by_id = fields.Many2one("res.users", readonly=True)
    date_approved = fields.Datetime("Approved On", readonly=True, index=True)
    reversed_id = fields.Many2one(
        "backward.penalty",
        string="Reverses",
        readonly=True,
        ondelete="restrict",
        help="The approved line this one corrects.",
    )
    reversal_reason = fields.Text(readonly=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True)

    @api.depends("party_type", "user_id", "team_id", "vendor_id")
    def _compute_party_name(self):
        for penalty in self:
            party = {"user": penalty.user_id, "team": penalty.team_id, "vendor": penalty.vendor_id}[penalty.party_type]
            penalty.party_name = party.display_name or False

    @api.constrains("points", "amount", "share", "reversed_id")
    def _check_values(self):
        for penalty in self:
            if not penalty.reversed_id and (penalty.points < 0 or penalty.amount < 0):
                raise ValidationError(
                    _("Penalty points and amounts cannot be negative: a correction is a reversal of an approved line.")
                )
            if not 0 <= penalty.share <= 100:
                raise ValidationError(
                    _("A share of responsibility is between 0 and 100%%, not %(share)s%%.", share=penalty.share)
                )

    @api.constrains("party_type", "user_id", "team_id", "vendor_id")
    def _check_party(self):
        for penalty in self:
            if not {"user": penalty.user_id, "team": penalty.team_id, "vendor": penalty.vendor_id}[penalty.party_type]:
                raise ValidationError(_("A penalty line names the person, team or vendor it penalises."))

    def write(self, vals):
        frozen = set(vals) - {"state", "approved_by_id", "date_approved"}
        if frozen and any(penalty.state == "approved" for penalty in self):
            raise UserError(
                _("An approved penalty is never changed: reverse it instead, with the reason of the correction.")
            )
        if frozen and any(
            penalty.review_id.state not in ("draft", "submitted", "acknowledged", "disputed") for penalty in self
        ):
            raise UserError(_("The review is decided: its penalty lines can no longer change."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        if any(penalty.state == "approved" for penalty in self):
            raise UserError(
                _("An approved penalty is never deleted: reverse it instead, with the reason of the correction.")
            )

    def _penalised_users(self):
        """Everyone a line penalises: the person, or the team's manager and members."""
        users = self.env["res.users"]
        for penalty in self:
            users |= penalty.user_id | penalty.team_id.manager_id | penalty.team_id.member_ids
        return users

    def action_reverse(self, reason):
        """Correct approved lines with reversing lines (a manager's act, with a reason)."""
        if not self.env.user.has_group("backward_management.backward_management_group_manager"):
            raise UserError(_("Only a Backward Management manager corrects the penalty ledger."))
        if not (reason or "").strip():
            raise UserError(_("Say why the penalty is corrected: the reason stays in the ledger."))
        reversals = self.env["backward.penalty"]
        for penalty in self:
            if penalty.state != "approved" or penalty.reversed_id:
                raise UserError(_("Only an approved penalty can be reversed, once."))
            if self.search_count([("reversed_id", "=", penalty.id)]):
                raise UserError(_("This penalty was reversed already."))
            reversals |= penalty.sudo().create(
                {
                    "review_id": penalty.review_id.id,
                    "link_id": penalty.link_id.id,
                    "party_type": penalty.party_type,
                    "user_id": penalty.user_id.id,
                    "team_id": penalty.team_id.id,
                    "vendor_id": penalty.vendor_id.id,
                    "share": penalty.share,
                    "points": -penalty.points,
                    "amount": -penalty.amount,
                    "reversed_id": penalty.id,
                    "reversal_reason": reason,
                    "state": "approved",
                    "approved_by_id": self.env.user.id,
                    "date_approved": fields.Datetime.now(),
                }
            )
            penalty.review_id.message_post(
                body=_("Penalty of %(party)s reversed: %(reason)s", party=penalty.party_name, reason=reason)
            )
        return reversals
