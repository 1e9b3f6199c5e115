from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.backward_plan.models.client_guards import without_client_defaults

# What the reviewer proposes, and may edit while the review is a draft.
PROPOSAL_FIELDS = frozenset(
    {"link_id", "party_type", "user_id", "team_id", "vendor_id", "share", "points", "amount", "is_warning"}
)
# Moves of a line, each made by the review's decision.
TRANSITIONS = {("proposed", "approved"), ("proposed", "dropped")}


class BackwardPenalty(models.Model):
    """A line of the penalty ledger: who answers for a late handover, and how much.

    Proposed on a draft review by its downstream side, approved when a manager who is not
    involved upholds it. An approved line never changes again, for anyone: a correction is
    a reversing line that says why. Like the review's, these guards are in the model:
    clients may send any values, and only the superuser (the review's actions, once they
    checked who acts) sets the state and the approval.
    """

    _name = "backward.penalty"
    _description = "Penalty"
    _order = "create_date desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
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
    lateness_hours = fields.Float(
        "Hours Carried",
        readonly=True,
        help="The hours of the reviewed delay this party's late handover carries (see Shared responsibility).",
    )
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
    reversal_ids = fields.One2many("backward.penalty", "reversed_id", string="Reversed By", readonly=True)
    company_id = fields.Many2one(related="review_id.company_id", store=True, index=True)
    weighs = fields.Boolean(
        compute="_compute_weighs", help="Penalises someone: a share, points, an amount or a warning."
    )

    @api.depends("review_id.name", "party_name", "points", "reversed_id")
    def _compute_name(self):
        for penalty in self:
            label = _("reversal") if penalty.reversed_id else _("%(points)s points", points=round(penalty.points, 2))
            penalty.name = f"{penalty.review_id.name or '/'} · {penalty.party_name or '?'} · {label}"

    @api.depends("share", "points", "amount", "is_warning")
    def _compute_weighs(self):
        for penalty in self:
            penalty.weighs = bool(penalty.share or penalty.points or penalty.amount or penalty.is_warning)

    @api.depends("party_type", "user_id", "team_id", "vendor_id")
    def _compute_party_name(self):
        for penalty in self:
            penalty.party_name = penalty._party().display_name or False

    def _party(self):
        self.ensure_one()
        return {"user": self.user_id, "team": self.team_id, "vendor": self.vendor_id}[self.party_type]

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
            if not penalty._party():
                raise ValidationError(_("A penalty line names the person, team or vendor it penalises."))

    # ------------------------------------------------------------------ guards

    def _refuse_forged(self, names):
        labels = sorted(self._fields[name]._description_string(self.env) for name in names if name in self._fields)
        raise AccessError(
            _(
                "%(fields)s of a penalty are set by the review's decision, never by hand.",
                fields=", ".join(labels or sorted(names)),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                # a new line is a proposal: anything else may only be sent empty or at its default
                forged = {
                    name
                    for name, value in vals.items()
                    if name not in PROPOSAL_FIELDS | {"review_id"} and value and value != "proposed"
                }
                if forged:
                    self._refuse_forged(forged)
                review = self.env["backward.review"].browse(vals.get("review_id"))
                if not review:
                    raise UserError(_("A penalty is proposed on a review."))
                review._check_state("draft")
                review._check_reviewer()
        guarded = without_client_defaults(self, PROPOSAL_FIELDS | {"review_id"})
        return super(BackwardPenalty, guarded).create(vals_list).with_env(self.env)

    def write(self, vals):
        decided = self.filtered(lambda penalty: penalty.state != "proposed")
        if decided:
            raise UserError(
                _("An approved penalty is never changed: reverse it instead, with the reason of the correction.")
                if "approved" in decided.mapped("state")
                else _("A dropped penalty belongs to a decided review: it no longer changes.")
            )
        if "state" in vals and any((penalty.state, vals["state"]) not in TRANSITIONS for penalty in self):
            self._refuse_forged({"state"})
        if not self.env.su:
            forged = set(vals) - PROPOSAL_FIELDS
            if forged:
                self._refuse_forged(forged)
            self._check_proposer()
        return super().write(vals)

    def _check_proposer(self):
        """Lines change while their review is a draft, by its reviewer, never by a party it names."""
        for review in self.review_id:
            review._check_state("draft")
            review._check_reviewer()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(penalty.state == "approved" for penalty in self):
            raise UserError(
                _("An approved penalty is never deleted: reverse it instead, with the reason of the correction.")
            )
        if any(penalty.state == "dropped" for penalty in self):
            raise UserError(_("A dropped penalty belongs to a decided review: it is kept."))
        if not self.env.su:
            self._check_proposer()

    def _penalised_users(self):
        """Everyone a line penalises: the person, or the team's manager and members."""
        users = self.env["res.users"]
        for penalty in self:
            users |= penalty.user_id | penalty.team_id.manager_id | penalty.team_id.member_ids
        return users

    def action_reverse(self, reason):
        """Correct approved lines with reversing lines (a manager's act, with a reason)."""
        if not self.env.user.has_group("backward_plan.backward_management_group_manager"):
            raise AccessError(_("Only a Backward Management manager corrects the penalty ledger."))
        self.check_access("read")
        self.review_id._check_decider()
        if not (reason or "").strip():
            raise UserError(_("Say why the penalty is corrected: the reason stays in the ledger."))
        reversals = self.env["backward.penalty"]
        # sudo: only the superuser writes approved lines; the manager and the decision were checked above
        for penalty in self.sudo():
            if penalty.state != "approved" or penalty.reversed_id:
                raise UserError(_("Only an approved penalty can be reversed, once."))
            if penalty.search_count([("reversed_id", "=", penalty.id)]):
                raise UserError(_("This penalty was reversed already."))
            reversals |= penalty.create(
                {
                    "review_id": penalty.review_id.id,
                    "link_id": penalty.link_id.id,
                    "party_type": penalty.party_type,
                    "user_id": penalty.user_id.id,
                    "team_id": penalty.team_id.id,
                    "vendor_id": penalty.vendor_id.id,
                    "share": penalty.share,
                    "lateness_hours": -penalty.lateness_hours,
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
        return reversals.with_env(self.env)
