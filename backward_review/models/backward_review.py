"""The downstream side reviews a late handover and proposes a penalty.

The next link has the responsibility and the right to supervise the previous one: the
downstream owner (or their team manager) opens a review on a late link, states what the
delay cost, and proposes penalties; the upstream owner acknowledges or disputes; a
manager who is not involved decides. When the upstream was late because of an earlier
late link, every late link upward shares the responsibility (``backward_review_parties``).

The workflow is enforced here, not in the views: a client may call ``create`` and
``write`` with any values, so the state, the facts and the decision move only through
the ``action_*`` methods. Each one checks who acts, then writes as superuser; ``write``
refuses those fields from anyone but the superuser, which no client can become.
"""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.backward_plan.models.client_guards import plain_fields, without_client_defaults

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("acknowledged", "Acknowledged"),
    ("disputed", "Disputed"),
    ("upheld", "Upheld"),
    ("waived", "Waived"),
    ("closed", "Closed"),
]
# The only moves of the workflow, each made by one action.
TRANSITIONS = {
    ("draft", "submitted"),
    ("submitted", "acknowledged"),
    ("submitted", "disputed"),
    ("acknowledged", "upheld"),
    ("acknowledged", "waived"),
    ("disputed", "upheld"),
    ("disputed", "waived"),
    ("upheld", "closed"),
    ("waived", "closed"),
}
LATE = ("late", "done_late")


class BackwardReview(models.Model):
    _name = "backward.review"
    _description = "Review of a Late Handover"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    link_id = fields.Many2one("backward.link", string="Late Link", required=True, readonly=True, index=True)
    sale_order_id = fields.Many2one(related="link_id.sale_order_id", store=True)
    kind = fields.Selection(related="link_id.kind", store=True)
    upstream_user_id = fields.Many2one(related="link_id.upstream_user_id", store=True, string="Upstream Owner")
    upstream_team_id = fields.Many2one(related="link_id.upstream_team_id", store=True, string="Upstream Team")
    downstream_user_id = fields.Many2one(related="link_id.downstream_user_id", store=True, string="Downstream Owner")
    downstream_team_id = fields.Many2one(related="link_id.downstream_team_id", store=True, string="Downstream Team")
    vendor_id = fields.Many2one(related="link_id.vendor_id", store=True)
    party_key = fields.Char(readonly=True, help="The downstream party reviewing: one review per late link per party.")
    # -- the facts
    date_deadline = fields.Datetime("Hand Over By", readonly=True)
    date_handover = fields.Datetime("Handed Over On", readonly=True)
    lateness_hours = fields.Float("Lateness (hours)", readonly=True)
    reason_id = fields.Many2one(related="link_id.reason_id", string="Reason Given Upstream")
    reason_note = fields.Text(related="link_id.reason_note", string="Upstream Explanation")
    # -- the parties' words
    statement = fields.Text(
        "Downstream Statement", tracking=True, help="What the late handover cost downstream, in the reviewer's words."
    )
    dispute_explanation = fields.Text("Dispute", readonly=True, tracking=True)
    decision_reason = fields.Text("Decision", readonly=True, tracking=True)
    submitted_by_id = fields.Many2one("res.users", readonly=True)
    answered_by_id = fields.Many2one("res.users", readonly=True, help="Who acknowledged or disputed the review.")
    involved_user_ids = fields.Many2many(
        "res.users",
        "backward_review_involved_rel",
        "review_id",
        "user_id",
        string="Involved",
        readonly=True,
        help="Everyone who took part in the review or whom it may penalise, remembered at each step: "
        "a later change of owners does not make them uninvolved.",
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, tracking=True)
    date_decided = fields.Datetime("Decided On", readonly=True)
    penalty_ids = fields.One2many("backward.penalty", "review_id", string="Penalties")
    points_total = fields.Float("Points", compute="_compute_totals")
    share_total = fields.Float("Shares (%)", compute="_compute_totals")
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, tracking=True, index=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True, index=True)

    _sql_constraints = [
        ("one_per_party", "unique(link_id, party_key)", "A late link is reviewed once by each downstream party."),
    ]

    # What a client may send: the reviewer's statement and proposed lines (each guarded
    # again by backward.penalty), and what the chatter writes.
    _CLIENT_FIELDS = frozenset({"statement", "penalty_ids"})

    @api.depends("penalty_ids.points", "penalty_ids.share", "penalty_ids.reversed_id", "penalty_ids.state")
    def _compute_totals(self):
        for review in self:
            live = review.penalty_ids.filtered(lambda penalty: penalty.state != "dropped")
            lines = live.filtered(lambda penalty: not penalty.reversed_id)
            review.points_total = sum(live.mapped("points"))
            review.share_total = sum(lines.mapped("share"))

    # ------------------------------------------------------------------ guards

    def _mail_fields(self):
        return plain_fields(self)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft":
                raise AccessError(_("A review opens as a draft: its state moves only through its buttons."))
            if not self.env.su:
                forged = set(vals) - self._CLIENT_FIELDS - {"link_id"} - self._mail_fields()
                if vals.get("penalty_ids"):
                    forged.add("penalty_ids")
                if forged:
                    raise AccessError(
                        _(
                            "A review opens with its late link and statement only: %(fields)s are set by its workflow.",
                            fields=", ".join(self._field_labels(forged)),
                        )
                    )
            link = self.env["backward.link"].browse(vals.get("link_id"))
            self._check_can_open(link)
            vals.update(self._prepare_review_vals(link))
        guarded = without_client_defaults(self, self._CLIENT_FIELDS | {"link_id"} | self._mail_fields())
        reviews = super(BackwardReview, guarded).create(vals_list)
        reviews._remember_involved()
        return reviews.with_env(self.env)

    def write(self, vals):
        if "state" in vals:
            self._check_transition(vals["state"])
        if not self.env.su:
            forged = set(vals) - self._CLIENT_FIELDS - self._mail_fields()
            if forged:
                raise AccessError(
                    _(
                        "%(fields)s of a review change only through its buttons.",
                        fields=", ".join(self._field_labels(forged)),
                    )
                )
            if self._CLIENT_FIELDS & set(vals):
                self._check_reviewer()
                self._check_state("draft")
        return super().write(vals)

    def _field_labels(self, names):
        return sorted(
            self._fields[name]._description_string(self.env) if name in self._fields else name for name in names
        )

    def _check_transition(self, state):
        for review in self:
            if review.state != state and (review.state, state) not in TRANSITIONS:
                raise AccessError(
                    _(
                        "%(review)s cannot go from %(old)s to %(new)s.",
                        review=review.name,
                        old=dict(STATES)[review.state],
                        new=dict(STATES).get(state, state),
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_submitted(self):
        if any(review.state != "draft" for review in self):
            raise UserError(_("A review is kept once submitted: close it instead."))
        if not self.env.su:
            self._check_decider()

    def unlink(self):
        # the proposed lines of a draft go with it, once the deletion itself is allowed
        self.check_access("unlink")
        self._unlink_except_submitted()
        # a manager who is not involved (checked above) may delete them as themselves
        self.penalty_ids.filtered(lambda penalty: penalty.state == "proposed").unlink()
        return super().unlink()

    # ------------------------------------------------------------------ opening

    def _prepare_review_vals(self, link):
        """The facts of the late handover, frozen when the review is opened."""
        return {
            "name": self.env["ir.sequence"].next_by_code("backward.review") or "/",
            "party_key": self._party_key(link),
            "date_deadline": link.date_deadline,
            "date_handover": link.date_handover,
            "lateness_hours": link.lateness_hours,
        }

    @staticmethod
    def _party_key(link):
        if link.downstream_team_id:
            return f"team:{link.downstream_team_id.id}"
        return f"user:{link.downstream_user_id.id}"

    def _check_can_open(self, link):
        """Only a late link is reviewed, once per downstream party, by that party."""
        if not link:
            raise UserError(_("A review is opened on a late link."))
        if link.state == "cancel":
            raise UserError(_("%(link)s is cancelled: there is no handover to review.", link=link.name))
        if link.state not in LATE:
            raise UserError(_("%(link)s is not late: only a late handover can be reviewed.", link=link.name))
        # the downstream side reads the reviews of its links; the SQL constraint is the last word
        if self.search_count([("link_id", "=", link.id), ("party_key", "=", self._party_key(link))]):
            raise UserError(_("%(link)s is already under review by its downstream party.", link=link.name))
        if self.env.su:
            return
        user = self.env.user
        if user not in link.downstream_user_id | link.downstream_team_id.manager_id and not self._is_manager():
            raise AccessError(
                _("Only the downstream owner of %(link)s or their team manager may review it.", link=link.name)
            )
        if user in self._chain_parties(self._late_chain_of(link)):
            raise AccessError(
                _(
                    "You answer for the delay of %(link)s: its downstream side or another manager reviews it.",
                    link=link.name,
                )
            )

    # ------------------------------------------------------------------ workflow

    def _check_state(self, *states):
        for review in self:
            if review.state not in states:
                labels = dict(STATES)
                raise UserError(
                    _(
                        "%(review)s is %(state)s: this step is for a review that is %(expected)s.",
                        review=review.name,
                        state=labels[review.state],
                        expected=_(" or ").join(labels[state] for state in states),
                    )
                )

    def _proposed_lines(self):
        """The lines awaiting the decision, as the workflow reads them once it checked who acts."""
        self.ensure_one()
        return self._decision().penalty_ids.filtered(lambda penalty: penalty.state == "proposed")

    def _check_shares(self, shares):
        """The ``shares`` of responsibility of the review's lines add up to 100%.

        No line, no share to add up: such a review can only be waived.
        """
        self.ensure_one()
        total = sum(shares)
        if shares and abs(total - 100.0) > 0.01:
            raise ValidationError(
                _(
                    "The shares of responsibility of %(review)s add up to %(shares)s%%, not 100%%.",
                    review=self.name,
                    shares=round(total, 2),
                )
            )

    def _decision(self):
        """The review as the workflow writes it, once an action checked who acts."""
        # sudo: the parties may not write the state, the decision nor the lines; the calling action checked who acts
        return self.sudo()

    def action_propose_penalties(self):
        """Replace the proposed lines with the policy's proposal (the reviewer's or a manager's act)."""
        self._check_reviewer()
        self._check_state("draft")
        for review in self._decision():
            review.penalty_ids.filtered(lambda penalty: penalty.state == "proposed").unlink()
            review.env["backward.penalty"].create(review._prepare_penalty_lines())
        self._remember_involved()
        return True

    def action_submit(self):
        """Send the review to the upstream owner, who acknowledges or disputes it."""
        self._check_reviewer()
        self._check_state("draft")
        for review in self:
            if not (review.statement or "").strip():
                raise UserError(
                    _("Say what the late handover cost downstream before submitting %(review)s.", review=review.name)
                )
            # the decider upholds whole shares: a review that cannot be upheld is not sent
            review._check_shares(review._proposed_lines().mapped("share"))
            review._decision().write({"state": "submitted", "submitted_by_id": self.env.user.id})
            review._remember_involved()
            owner = review.upstream_user_id or review.upstream_team_id.manager_id
            if owner:
                review._decision().activity_schedule(
                    "backward_review.mail_activity_type_review_answer",
                    user_id=owner.id,
                    note=_("Acknowledge or dispute the review of %(link)s.", link=review.link_id.name),
                )
                review._decision().message_subscribe(partner_ids=owner.partner_id.ids)
        return True

    def action_acknowledge(self):
        """The upstream side accepts the review; a manager then decides."""
        self._check_answerer()
        self._check_state("submitted")
        self._decision().write({"state": "acknowledged", "answered_by_id": self.env.user.id})
        self._remember_involved()
        self._answered()
        return True

    def action_dispute(self, explanation):
        """The upstream side disputes the review, and says why."""
        self._check_answerer()
        self._check_state("submitted")
        if not (explanation or "").strip():
            raise UserError(_("A dispute needs its explanation."))
        self._decision().write(
            {"state": "disputed", "dispute_explanation": explanation, "answered_by_id": self.env.user.id}
        )
        self._remember_involved()
        self._answered()
        return True

    def _answered(self):
        answer_type = self.env.ref("backward_review.mail_activity_type_review_answer")
        self._decision().activity_ids.filtered(
            lambda activity: activity.activity_type_id == answer_type
        ).action_feedback()

    def action_uphold(self):
        """Decide for the downstream side: the proposed penalties are approved."""
        self._check_decider()
        self._check_state("acknowledged", "disputed")
        for review in self:
            lines = review._proposed_lines()
            if not lines:
                raise UserError(
                    _("Upholding %(review)s applies its penalties: propose at least one.", review=review.name)
                )
            review._check_shares(lines.mapped("share"))
            now = fields.Datetime.now()
            lines.write({"state": "approved", "approved_by_id": self.env.user.id, "date_approved": now})
            review._decision().write({"state": "upheld", "decided_by_id": self.env.user.id, "date_decided": now})
            review._decision().message_post(
                body=Markup("<p>%s</p>")
                % _("Review upheld: %(points)s points approved.", points=round(sum(lines.mapped("points")), 2))
            )
        return True

    def action_waive(self, reason):
        """Decide against penalties, and say why."""
        self._check_decider()
        self._check_state("acknowledged", "disputed")
        if not (reason or "").strip():
            raise UserError(_("Waiving a review needs the reason of the decision."))
        for review in self._decision():
            review.penalty_ids.filtered(lambda penalty: penalty.state == "proposed").write({"state": "dropped"})
            review.write(
                {
                    "state": "waived",
                    "decision_reason": reason,
                    "decided_by_id": self.env.user.id,
                    "date_decided": fields.Datetime.now(),
                }
            )
        return True

    def action_close(self):
        """File a decided review."""
        self._check_decider()
        self._check_state("upheld", "waived")
        self._decision().write({"state": "closed"})
        return True

    def action_open_wizard(self):
        """Dispute or waive: both need words, asked in a small form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "backward.review.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_review_id": self.id,
                "default_action": self.env.context.get("review_action", "dispute"),
            },
        }
