from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class BackwardReasonWizard(models.TransientModel):
    """The upstream owner says why a handover is late (or will be)."""

    _name = "backward.reason.wizard"
    _description = "Give the Delay Reason"

    link_id = fields.Many2one("backward.link", required=True, readonly=True, ondelete="cascade")
    reason_id = fields.Many2one("backward.delay.reason", required=True)
    requires_note = fields.Boolean(related="reason_id.requires_note")
    note = fields.Text("Explanation")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        link = self.env["backward.link"].browse(self.env.context.get("active_id"))
        if "link_id" in fields_list and self.env.context.get("active_model") == "backward.link" and link:
            values["link_id"] = link.id
        return values

    def action_confirm(self):
        """Record the reason on the link and its open re-promises; tell the downstream owner."""
        self.ensure_one()
        link = self.link_id
        manager = self.env.user.has_group("backward_plan.backward_management_group_manager")
        owners = link.upstream_user_id | link.upstream_team_id.manager_id
        if self.env.user not in owners and not manager:
            raise AccessError(
                _(
                    "Only the upstream owner of %(link)s or a manager may give its delay reason.",
                    link=link.name,
                )
            )
        if link.state not in ("absorbed", "at_risk", "late", "done_late") and not link.repromise_ids:
            raise UserError(_("%(link)s is not late: there is no delay to explain.", link=link.name))
        if self.reason_id.requires_note and not (self.note or "").strip():
            raise UserError(_("The reason “%(reason)s” needs an explanation.", reason=self.reason_id.name))
        # sudo: the upstream owner (checked above) may not write the link's guarded fields nor its re-promises
        link = link.sudo()
        link.write({"reason_id": self.reason_id.id, "reason_note": self.note})
        link.repromise_ids.filtered(lambda repromise: not repromise.reason_id).write(
            {"reason_id": self.reason_id.id, "reason_note": self.note}
        )
        if link.reason_activity_id.exists():
            link.reason_activity_id.action_feedback(feedback=self.reason_id.name)
        link.message_post(
            body=Markup("<p>%s</p>")
            % _(
                "Delay reason: %(reason)s. %(note)s",
                reason=self.reason_id.name,
                note=self.note or "",
            ),
            partner_ids=link.downstream_user_id.partner_id.ids,
            author_id=self.env.user.partner_id.id,
        )
        return {"type": "ir.actions.act_window_close"}
