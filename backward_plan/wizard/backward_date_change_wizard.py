from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..scheduling import HOUR, delivery, from_timestamp, to_timestamp
from ..scheduling.chain import SALE, step_key


class BackwardDateChangeWizard(models.TransientModel):
    """The customer asks for another delivery date: the effect on every step is shown
    before the salesperson applies it; applied, the plan is agreed again by every party."""

    _name = "backward.date.change.wizard"
    _description = "Change the Delivery Date"

    order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade")
    date_current = fields.Datetime("Current Delivery Date", compute="_compute_date_current")
    date_new = fields.Datetime("New Delivery Date", required=True)
    note = fields.Text("Why", help="Why the customer asks for it: kept in the order's chatter.")
    effect_html = fields.Html("Effect on Every Step", compute="_compute_effect", sanitize=False)
    feasible = fields.Boolean(compute="_compute_effect")
    date_earliest = fields.Datetime("Earliest Delivery", compute="_compute_effect")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "order_id" in fields_list and context.get("active_model") == "sale.order" and context.get("active_id"):
            values["order_id"] = context["active_id"]
        return values

    @api.depends("order_id")
    def _compute_date_current(self):
        for wizard in self:
            wizard.date_current = wizard.order_id.commitment_date or wizard.order_id.expected_date

    @api.depends("order_id", "date_new")
    def _compute_effect(self):
        for wizard in self:
            wizard.effect_html, wizard.feasible, wizard.date_earliest = False, True, False
            if wizard.order_id.state == "sale" and wizard.date_new:
                wizard._preview()

    def _preview(self):
        """Plan the order from the new date, write nothing, and show each step's move."""
        order = self.order_id
        try:
            # the planner elevates its preview: the chain is not a salesperson's to read
            preview = self.env["backward.planner"]._preview(order, promise=self.date_new)
        except UserError as error:
            self.effect_html = Markup("<p class='text-danger'>%s</p>") % error.args[0]
            self.feasible = False
            return
        plan, forward, now = preview.plan, preview.forward, preview.now
        notifier = self.env["backward.notifier"]
        kinds = dict(self.env["backward.deadline"]._fields["kind"]._description_selection(self.env))
        rows = []
        for step in order.backward_deadline_ids.filtered(lambda d: d.state in ("planned", "in_progress")):
            dates = plan.steps.get(step.step_key)
            if dates is None or step.kind == "customer":
                continue
            moved = (dates.finish - to_timestamp(step.date_deadline)) / HOUR if step.date_deadline else 0.0
            too_late = step.state == "planned" and dates.start < now
            rows.append(
                Markup(
                    "<tr class='%s'><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (
                    "text-danger" if too_late else "",
                    step.name,
                    kinds.get(step.kind, step.kind),
                    step.user_id.name or "",
                    notifier._format(step.date_start_deadline),
                    notifier._format(from_timestamp(dates.start)),
                    notifier._format(from_timestamp(dates.finish)),
                    f"{moved:+.1f}",
                )
            )
        # the verdict the order will show once the change is applied: one copy, in the core
        verdict = delivery(preview.steps, plan, forward, step_key(SALE, order.id), now, preview.counted)
        self.date_earliest = from_timestamp(verdict.served) if verdict.served is not None else False
        self.feasible = verdict.feasible
        header = Markup(
            "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "</tr></thead>"
        ) % (
            self.env._("Step"),
            self.env._("Kind"),
            self.env._("Owner"),
            self.env._("Start By Now"),
            self.env._("Would Start By"),
            self.env._("Would Hand Over By"),
            self.env._("Moves (hours)"),
        )
        self.effect_html = Markup("<table class='table table-sm o_bm_date_change'>%s<tbody>%s</tbody></table>") % (
            header,
            Markup("").join(rows),
        )

    def action_apply(self):
        """Write the new date as the salesperson (Odoo's access rules apply): the order is
        re-planned and its plan waits for every party's agreement again."""
        self.ensure_one()
        order = self.order_id
        if order.state != "sale":
            raise UserError(
                self.env._("Only a confirmed order has a plan to change: edit the quotation's date instead.")
            )
        if self.date_new < fields.Datetime.now():
            raise UserError(self.env._("A delivery date in the past cannot be promised."))
        if self.date_new == self.date_current:
            raise UserError(self.env._("That is already the order's delivery date."))
        old = self.date_current
        effect = self.effect_html
        order.write({"commitment_date": self.date_new})
        notifier = self.env["backward.notifier"]
        why = ": " + self.note if self.note else ""
        body = self.env._(
            "Delivery date changed at the customer's request from %(old)s to %(new)s%(why)s.",
            old=notifier._format(old),
            new=notifier._format(self.date_new),
            why=why,
        )
        if order.backward_plan_state == "proposed":
            body += " " + self.env._("The plan waits for sales, production and purchasing to agree it again.")
        order.message_post(body=Markup("<p>%s</p>%s") % (body, effect or ""))
        return {"type": "ir.actions.act_window_close"}
