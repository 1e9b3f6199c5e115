"""A re-promise: an upstream document moved its handover past a link's deadline.

The watch records it (``backward.notifier._record_repromises``). One the link's slack
absorbs is accepted at once and only recorded. One past the slack waits for the
downstream side's consent: its owner (or their team manager, or a backward manager)
accepts it, and the plan hands over at the new date from then on (the chain below is
re-planned from it and, when the order's plan was agreed, that becomes the agreed
baseline), or refuses it, and the managers of both sides are asked to settle it.
A later re-promise of the same link replaces one still waiting.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.backward_plan import scheduling
from odoo.addons.backward_plan.models.client_guards import refuse_client_writes
from odoo.addons.backward_plan.scheduling import from_timestamp
from odoo.addons.backward_plan.scheduling.chain import SALE, step_key

MANAGER_GROUP = "backward_plan.backward_management_group_manager"
CONSENT = "backward_watch.mail_activity_type_repromise_consent"
REFUSED = "backward_watch.mail_activity_type_repromise_refused"


class BackwardRepromise(models.Model):
    """An upstream moved its expected handover past the deadline of a link it owes."""

    _name = "backward.repromise"
    _description = "Re-promise past the Deadline"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    # whoever may read it may discuss it: decisions go through the actions, never a write
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name")
    link_id = fields.Many2one("backward.link", required=True, readonly=True, index=True, ondelete="cascade")
    sale_order_id = fields.Many2one(related="link_id.sale_order_id", store=True)
    upstream_user_id = fields.Many2one(related="link_id.upstream_user_id", store=True, string="Upstream Owner")
    downstream_user_id = fields.Many2one(related="link_id.downstream_user_id", store=True, string="Downstream Owner")
    upstream_ref = fields.Char(related="link_id.upstream_ref")
    downstream_ref = fields.Char(related="link_id.downstream_ref")
    date_deadline = fields.Datetime("Hand Over By", readonly=True)
    date_need = fields.Datetime("Needed By", readonly=True)
    date_old = fields.Datetime("Promised Before", readonly=True)
    date_new = fields.Datetime("Promised Now", readonly=True)
    delay_hours = fields.Float("Past the Deadline by (hours)", readonly=True)
    reason_id = fields.Many2one("backward.delay.reason", readonly=True)
    reason_note = fields.Text("Explanation", readonly=True)
    company_id = fields.Many2one(related="link_id.company_id", store=True)
    state = fields.Selection(
        [
            ("pending", "Waiting for Consent"),
            ("absorbed", "Absorbed by the Slack"),
            ("accepted", "Accepted"),
            ("refused", "Refused"),
            ("superseded", "Superseded"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        help="Absorbed: the slack absorbs it, accepted without asking. Waiting: past the slack, the "
        "downstream owner accepts or refuses it. Superseded: a later re-promise, or the handover, came first.",
    )
    decided_uid = fields.Many2one("res.users", "Decided by", readonly=True, tracking=True)
    decided_on = fields.Datetime(readonly=True)
    decision_note = fields.Text("Why Refused", readonly=True)
    # -- the effect, as the plan would be were it accepted (computed when recorded)
    effect_start = fields.Datetime(
        "Downstream Would Start", readonly=True, help="The downstream step's start by, were the re-promise accepted."
    )
    effect_finish = fields.Datetime(
        "Downstream Would Finish", readonly=True, help="The downstream step's deadline, were the re-promise accepted."
    )
    effect_delivery = fields.Datetime(
        "Customer Served", readonly=True, help="When the customer would be served, were the re-promise accepted."
    )
    effect_customer_hours = fields.Float(
        "Customer Late by (hours)",
        readonly=True,
        help="How late the customer would be served: 0 when served in time.",
    )
    effect_feasible = fields.Boolean(
        "Promise Kept",
        readonly=True,
        help="Were it accepted, the order would be feasible: the customer served in time and no step it "
        "drives past its start by. Accepted, the order shows exactly this.",
    )
    can_decide = fields.Boolean(compute="_compute_can_decide")
    date_consent_due = fields.Date(
        "Answer Due", readonly=True, help="By when the downstream side accepts or refuses it; then it is escalated."
    )
    escalated = fields.Boolean(
        readonly=True, copy=False, help="Nobody decided it in time: the managers of both sides were asked to settle it."
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the watch records re-promises as superuser; a client never does, defaults or not
        if not self.env.su:
            raise AccessError(self.env._("Re-promises are recorded by the watch, not by hand."))
        return super().create(vals_list)

    def write(self, vals):
        refuse_client_writes(self, vals)
        return super().write(vals)

    @api.depends("link_id")
    def _compute_name(self):
        for repromise in self:
            repromise.name = self.env._("Re-promise of %(link)s", link=repromise.link_id.name or "")

    @api.depends_context("uid")
    def _compute_can_decide(self):
        for repromise in self:
            repromise.can_decide = repromise._decidable() and repromise._may_decide()

    # ------------------------------------------------------------------- who decides

    def _deciders(self):
        """The downstream side of the link: its owner and their team manager."""
        link = self.link_id
        return link.downstream_user_id | link.downstream_team_id.manager_id

    def _settlers(self):
        """Who settles a refused or unanswered re-promise: the managers asked, the backward managers."""
        return self._escalation_managers() | self._backward_managers()

    def _decidable(self):
        """Waiting for consent; or refused, for a manager who settles it by accepting. Never
        once its link is handed over or cancelled (a later re-promise supersedes it)."""
        if self.link_id.state in ("done", "done_late", "cancel"):
            return False
        if self.state == "refused":
            return self.env.user in self._settlers()
        return self.state == "pending"

    def _backward_managers(self):
        # employees read the groups and the internal users: no elevation to list the managers
        group = self.env.ref(MANAGER_GROUP)
        company = self.company_id
        return group.users.filtered(lambda user: company in user.company_ids and user.active and not user.share)

    def _consent_user(self):
        """Who is asked to decide: the downstream owner, else their team manager, else a backward manager."""
        company = self.company_id
        candidates = [*self._deciders(), *self._backward_managers()]
        return next(
            (user for user in candidates if user.active and not user.share and company in user.company_ids),
            self.env["res.users"],
        )

    def _may_decide(self):
        user = self.env.user
        if user in self._deciders() or user.has_group(MANAGER_GROUP):
            return True
        # the managers asked to settle it may settle it
        return (self.state == "refused" or self.escalated) and user in self._escalation_managers()

    def _check_decision(self):
        for repromise in self:
            if not repromise._may_decide():
                raise AccessError(
                    self.env._(
                        "Only the downstream owner of %(link)s, their team manager or a backward manager "
                        "accepts or refuses its re-promise.",
                        link=repromise.link_id.name,
                    )
                )
            if repromise.company_id not in self.env.user.company_ids:
                raise AccessError(self.env._("This re-promise belongs to a company you do not work for."))
            if not repromise._decidable():
                raise UserError(
                    self.env._(
                        "The re-promise of %(link)s is not waiting for consent (it is %(state)s).",
                        link=repromise.link_id.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[repromise.state],
                    )
                )

    def _check_refusable(self):
        self._check_decision()
        if any(repromise.state != "pending" for repromise in self):
            raise UserError(
                self.env._("A refused re-promise is settled by accepting it or by the upstream's new date.")
            )

    def _close_consent(self, feedback):
        """Mark done the activities asking to decide (the consent, or settling a refusal);
        called by the decisions and the watch, as superuser."""
        types = self.env.ref(CONSENT) | self.env.ref(REFUSED)
        activities = self.activity_ids.filtered(lambda activity: activity.activity_type_id in types)
        if activities:
            activities.action_feedback(feedback=feedback)

    # ---------------------------------------------------------------------- decisions

    def _decision(self):
        """The re-promises as a decision writes them, once ``_check_decision`` passed."""
        # sudo: the downstream side may not write re-promises, links nor the order's plan; who acts was checked
        return self.sudo()

    def action_accept(self):
        """The downstream side consents: the plan hands over at the new date from now on."""
        self._check_decision()
        user = self.env.user
        for repromise in self._decision():
            link = repromise.link_id
            agreed = max(filter(None, (link.date_repromise_agreed, repromise.date_new)))
            repromise.write({"state": "accepted", "decided_uid": user.id, "decided_on": fields.Datetime.now()})
            repromise._close_consent(self.env._("Accepted by %(user)s", user=user.name))
            link.write({"date_repromise_agreed": agreed, "repromise_pending": repromise._others_waiting()})
            body = self.env._(
                "%(user)s accepted the re-promise of %(upstream)s: it hands over by %(date)s.",
                user=user.name,
                upstream=link.upstream_ref,
                date=self.env["backward.notifier"]._format(agreed),
            )
            link.message_post(body=body, partner_ids=link.upstream_user_id.partner_id.ids, author_id=user.partner_id.id)
            repromise._replan_accepted(body)
        return True

    def _others_waiting(self):
        """Whether another re-promise of the same link still waits for consent."""
        return bool(self.link_id.repromise_ids.filtered(lambda repromise: repromise.state == "pending") - self)

    def _replan_accepted(self, body):
        """Re-plan the order from the accepted date. An agreed plan keeps its agreement and
        takes the new dates as its baseline when the customer's promise still holds and no
        other change waits to be re-planned; otherwise every party agrees the new plan again."""
        order, link = self.sale_order_id, self.link_id
        if order.state != "sale":
            return
        step = link.upstream_id
        # the effect as of now: days may have passed since it was shown (start-bys passed, re-plans)
        self._compute_effect()
        keep = order.backward_plan_state == "agreed" and self.effect_feasible and not order.backward_replan_reason
        try:
            with self.env.cr.savepoint():
                chain = self.env["backward.chain.reader"]._read_chain(order)
                document = chain.steps.get(step.step_key)
                if document and document.document_planned:
                    # the document's date as accepted: the watch measures its next slip from here
                    step.write({"date_document_planned": document.document_planned})
                self.env["backward.planner"]._plan_sale_orders(
                    order, self.env._("re-promise of %(link)s accepted", link=link.name), keep_agreement=keep
                )
        except UserError as error:
            order._backward_record_warning(error.args[0])
            return
        if keep:
            order._backward_set_baseline(Markup("<p>%s</p>") % body)

    def action_refuse(self):
        """Ask for the reason of the refusal (a wizard), then refuse."""
        self._check_refusable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse the Re-promise"),
            "res_model": "backward.repromise.refuse.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def _refuse(self, note):
        """The downstream side refuses: the managers of both sides are asked to settle it."""
        self._check_refusable()
        if not (note or "").strip():
            raise UserError(self.env._("Say why the re-promise is refused: the managers settle it from there."))
        user = self.env.user
        for repromise in self._decision():
            link = repromise.link_id
            repromise.write(
                {"state": "refused", "decided_uid": user.id, "decided_on": fields.Datetime.now(), "decision_note": note}
            )
            repromise._close_consent(self.env._("Refused by %(user)s", user=user.name))
            link.write({"repromise_pending": repromise._others_waiting()})
            managers = repromise._ask_managers(
                lambda reader: reader.env._("%(user)s refused it: %(note)s.", user=user.name, note=note)
            )
            link.message_post(
                body=self.env._(
                    "%(user)s refused the re-promise of %(upstream)s: %(note)s",
                    user=user.name,
                    upstream=link.upstream_ref,
                    note=note,
                ),
                partner_ids=(link.upstream_user_id | managers).partner_id.ids,
                author_id=user.partner_id.id,
            )
        return True

    def _escalation_managers(self):
        """The managers of both sides: the teams' managers, else the backward managers."""
        link = self.link_id
        managers = link.upstream_team_id.manager_id | link.downstream_team_id.manager_id
        if not managers:
            managers = self._backward_managers()
        return managers.filtered(lambda user: not user.share)

    def _ask_managers(self, why):
        """Ask the managers of both sides to settle this re-promise, each in their language;
        ``why(reader)`` says what happened. Returns the managers asked."""
        link = self.link_id
        managers = self._escalation_managers()
        notifier = self.env["backward.notifier"]
        for manager in managers:
            reader = notifier._reader(manager)
            facts = reader.env._(
                "The re-promise of %(upstream)s: %(new)s instead of %(deadline)s, needed by %(need)s for "
                "%(downstream)s. Settle it with both sides.",
                upstream=link.upstream_ref,
                new=reader._format(self.date_new),
                deadline=reader._format(self.date_deadline),
                need=reader._format(self.date_need),
                downstream=link.downstream_ref,
            )
            self.activity_schedule(REFUSED, user_id=manager.id, note=f"{why(reader)} {facts}")
        return managers

    @api.model
    def _escalate_unanswered(self):
        """Re-promises whose consent is overdue (nobody accepted nor refused): the managers
        of both sides are asked to settle them, once. Run by the watch (as superuser)."""
        repromises = self.search(
            [
                ("state", "=", "pending"),
                ("escalated", "=", False),
                ("date_consent_due", "<", fields.Date.context_today(self)),
            ]
        )
        for repromise in repromises:
            link = repromise.link_id
            managers = repromise._ask_managers(lambda reader: reader.env._("Nobody accepted nor refused it in time."))
            repromise.write({"escalated": True})
            link.message_post(
                body=self.env._(
                    "The re-promise of %(upstream)s was not answered in time: the managers settle it.",
                    upstream=link.upstream_ref,
                ),
                partner_ids=managers.partner_id.ids,
            )

    # --------------------------------------------------------------------- the effect

    def _compute_effect(self):
        """The plan were it accepted: when the downstream step would start and finish, when
        the customer would be served and whether the promise holds (``scheduling.repromise_effect``;
        nothing written but these fields). Called by the watch and the decisions, as superuser."""
        planner = self.env["backward.planner"]
        for repromise in self:
            link, order = repromise.link_id, repromise.sale_order_id
            if not order or order.state != "sale":
                continue
            try:
                preview = planner._preview(order, handover=(link, repromise.date_new))
            except UserError:
                continue  # the chain cannot be planned now: the order shows why
            pair = (link.upstream_id.step_key, link.downstream_id.step_key)
            index = next(
                (index for index, core in enumerate(preview.links) if (core.upstream, core.downstream) == pair), None
            )
            if index is None:
                continue  # the link left the chain: the watch closes it
            effect = scheduling.repromise_effect(
                preview.steps,
                preview.links,
                preview.plan,
                preview.forward,
                index,
                step_key(SALE, order.id),
                preview.now,
                preview.counted,
            )
            served = effect.delivery.served
            repromise.write(
                {
                    "effect_start": from_timestamp(effect.start) if effect.start is not None else False,
                    "effect_finish": from_timestamp(effect.finish) if effect.finish is not None else False,
                    "effect_delivery": from_timestamp(served) if served is not None else False,
                    "effect_customer_hours": round(effect.delivery.late_hours, 2),
                    "effect_feasible": effect.delivery.feasible,
                }
            )

    def action_open_link(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "backward.link",
            "res_id": self.link_id.id,
            "view_mode": "form",
        }
