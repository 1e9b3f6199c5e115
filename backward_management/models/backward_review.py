"""The downstream side reviews a late handover and proposes a penalty.

The next link has the responsibility and the right to supervise the previous one: the
downstream owner (or their team manager) opens a review on a late link, states what the
delay cost, and proposes penalties; the upstream owner acknowledges or disputes; a
manager who is not penalised decides. When the upstream was late because of an earlier
late link, every late link upward shares the responsibility, by the lateness it added.
"""

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("acknowledged", "Acknowledged"),
    ("disputed", "Disputed"),
    ("upheld", "Upheld"),
    ("waived", "Waived"),
    ("closed", "Closed"),
]
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

    @api.depends("penalty_ids.points", "penalty_ids.share", "penalty_ids.reversed_id")
    def _compute_totals(self):
        for review in self:
            lines = review.penalty_ids.filtered(lambda penalty: not penalty.reversed_id)
            review.points_total = sum(review.penalty_ids.mapped("points"))
            review.share_total = sum(lines.mapped("share"))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            link = self.env["backward.link"].browse(vals.get("link_id"))
            self._check_can_open(link)
            vals.update(self._prepare_review_vals(link))
        return super().create(vals_list)

    def _prepare_review_vals(self, link):
        """The facts of the late handover, frozen when the review is opened."""
        return {
            "name": self.env["ir.sequence"].sudo().next_by_code("backward.review") or "/",
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
        if self.sudo().search_count([("link_id", "=", link.id), ("party_key", "=", self._party_key(link))]):
            raise UserError(_("%(link)s is already under review by its downstream party.", link=link.name))
        user = self.env.user
        if not (
            self.env.su
            or user == link.downstream_user_id
            or user == link.downstream_team_id.manager_id
            or user.has_group("backward_management.backward_management_group_manager")
        ):
            raise AccessError(
                _("Only the downstream owner of %(link)s or their team manager may review it.", link=link.name)
            )

    # ------------------------------------------------------------------ proposals

    def _late_chain(self):
        """The late links upward from the reviewed one, each with the lateness it added.

        Walks the latest late input of each step; a link that recovered part of its
        input's delay added a negative amount, which counts in its favour.
        """
        self.ensure_one()
        chain = []
        link = self.link_id
        seen = set()
        while link and link.id not in seen:
            seen.add(link.id)
            inputs = link.upstream_id.upstream_link_ids.filtered(lambda item: item.state in LATE)
            earlier = inputs.sorted(lambda item: item.lateness_hours, reverse=True)[:1]
            chain.append((link, link.lateness_hours - (earlier.lateness_hours if earlier else 0.0)))
            link = earlier
        return list(reversed(chain))

    def _first_offence(self, party_field, party, kind):
        return (
            not self.env["backward.penalty"]
            .sudo()
            .search_count(
                [
                    (party_field, "=", party.id),
                    ("state", "=", "approved"),
                    ("link_id.kind", "=", kind),
                    ("points", ">", 0),
                ]
            )
        )

    def _prepare_penalty_lines(self):
        """Penalty lines the policy proposes: each late link's party, by the lateness it added."""
        self.ensure_one()
        chain = self._late_chain()
        added = {link.id: max(hours, 0.0) for link, hours in chain}
        total = sum(added.values()) or 1.0
        policies = {
            policy.kind: policy
            for policy in self.env["backward.penalty.policy"].sudo().search([("company_id", "=", self.company_id.id)])
        }
        lines = []
        for link, _hours in chain:
            if not added[link.id]:
                continue
            if link.kind == "purchase" and link.vendor_id:
                party = ("vendor", "vendor_id", link.vendor_id)
            elif link.upstream_user_id:
                party = ("user", "user_id", link.upstream_user_id)
            elif link.upstream_team_id:
                party = ("team", "team_id", link.upstream_team_id)
            else:
                continue
            points = amount = 0.0
            warning = False
            policy = policies.get(link.kind)
            if policy:
                points, amount, warning = policy._propose(
                    added[link.id], self._first_offence(party[1], party[2], link.kind)
                )
            lines.append(
                {
                    "review_id": self.id,
                    "link_id": link.id,
                    "party_type": party[0],
                    party[1]: party[2].id,
                    "share": round(added[link.id] / total * 100.0, 2),
                    "lateness_hours": round(added[link.id], 2),
                    "points": points,
                    "amount": amount,
                    "is_warning": warning,
                }
            )
        self._round_shares(lines)
        return lines

    @staticmethod
    def _round_shares(lines):
        """Shares to the hundredth that still add up to 100%: the largest takes the rest."""
        if lines:
            for line in lines:
                line["share"] = round(line["share"], 2)
            largest = max(lines, key=lambda line: line["share"])
            others = sum(line["share"] for line in lines if line is not largest)
            largest["share"] = round(100.0 - others, 2)

    def action_propose_penalties(self):
        """Replace the proposed lines with the policy's proposal."""
        for review in self:
            review._check_state("draft")
            review.penalty_ids.filtered(lambda penalty: penalty.state == "proposed").sudo().unlink()
            self.env["backward.penalty"].sudo().create(review._prepare_penalty_lines())
        return True

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

    def _is_manager(self):
        return self.env.user.has_group("backward_management.backward_management_group_manager")

    def _check_downstream(self):
        for review in self:
            user = self.env.user
            if (
                user not in (review.downstream_user_id | review.downstream_team_id.manager_id)
                and not review._is_manager()
            ):
                raise AccessError(
                    _("Only the downstream owner or their team manager acts for %(review)s.", review=review.name)
                )

    def _check_upstream(self):
        for review in self:
            user = self.env.user
            if user not in (review.upstream_user_id | review.upstream_team_id.manager_id) and not review._is_manager():
                raise AccessError(
                    _("Only the upstream owner or their team manager answers %(review)s.", review=review.name)
                )

    def _check_decider(self):
        if not self._is_manager():
            raise AccessError(_("Only a Backward Management manager decides a review."))
        for review in self:
            if self.env.user in review.penalty_ids._penalised_users():
                raise AccessError(
                    _("You are among those %(review)s penalises: another manager must decide it.", review=review.name)
                )

    def action_submit(self):
        """Send the review to the upstream owner, who acknowledges or disputes it."""
        self._check_downstream()
        self._check_state("draft")
        for review in self:
            if not (review.statement or "").strip():
                raise UserError(
                    _("Say what the late handover cost downstream before submitting %(review)s.", review=review.name)
                )
            review.sudo().state = "submitted"
            owner = review.upstream_user_id or review.upstream_team_id.manager_id
            if owner:
                review.sudo().activity_schedule(
                    "backward_management.mail_activity_type_review_answer",
                    user_id=owner.id,
                    note=_("Acknowledge or dispute the review of %(link)s.", link=review.link_id.name),
                )
                review.sudo().message_subscribe(partner_ids=owner.partner_id.ids)
        return True

    def action_acknowledge(self):
        self._check_upstream()
        self._check_state("submitted")
        self.sudo().write({"state": "acknowledged"})
        self._answered()
        return True

    def action_dispute(self, explanation):
        """The upstream side disputes the review, and says why."""
        self._check_upstream()
        self._check_state("submitted")
        if not (explanation or "").strip():
            raise UserError(_("A dispute needs its explanation."))
        self.sudo().write({"state": "disputed", "dispute_explanation": explanation})
        self._answered()
        return True

    def _answered(self):
        answer_type = self.env.ref("backward_management.mail_activity_type_review_answer")
        self.sudo().activity_ids.filtered(lambda activity: activity.activity_type_id == answer_type).action_feedback()

    def action_uphold(self):
        """Decide for the downstream side: the proposed penalties are approved."""
        self._check_decider()
        self._check_state("acknowledged", "disputed")
        for review in self:
            lines = review.penalty_ids.filtered(lambda penalty: penalty.state == "proposed")
            if not lines:
                raise UserError(
                    _("Upholding %(review)s applies its penalties: propose at least one.", review=review.name)
                )
            shares = sum(lines.mapped("share"))
            if abs(shares - 100.0) > 0.01:
                raise ValidationError(
                    _(
                        "The shares of responsibility of %(review)s add up to %(shares)s%%, not 100%%.",
                        review=review.name,
                        shares=round(shares, 2),
                    )
                )
            now = fields.Datetime.now()
            lines.sudo().write({"state": "approved", "approved_by_id": self.env.user.id, "date_approved": now})
            review.sudo().write({"state": "upheld", "decided_by_id": self.env.user.id, "date_decided": now})
            review.message_post(
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
        for review in self:
            review.penalty_ids.filtered(lambda penalty: penalty.state == "proposed").sudo().write({"state": "dropped"})
            review.sudo().write(
                {
                    "state": "waived",
                    "decision_reason": reason,
                    "decided_by_id": self.env.user.id,
                    "date_decided": fields.Datetime.now(),
                }
            )
        return True

    def action_close(self):
        if not self._is_manager():
            raise AccessError(_("Only a Backward Management manager closes a review."))
        self._check_state("upheld", "waived")
        self.sudo().write({"state": "closed"})
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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(review.state not in ("draft",) for review in self):
            raise UserError(_("A review is kept once submitted: close it instead."))
