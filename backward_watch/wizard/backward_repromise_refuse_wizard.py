from odoo import api, fields, models


class BackwardRepromiseRefuseWizard(models.TransientModel):
    """The downstream side refuses a re-promise and says why: the managers settle it."""

    _name = "backward.repromise.refuse.wizard"
    _description = "Refuse a Re-promise"

    repromise_ids = fields.Many2many("backward.repromise", string="Re-promises", readonly=True)
    note = fields.Text("Why", required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "repromise_ids" in fields_list and context.get("active_model") == "backward.repromise":
            values["repromise_ids"] = [fields.Command.set(context.get("active_ids") or [])]
        return values

    def action_confirm(self):
        self.ensure_one()
        # the re-promises refuse as the acting user: they check who acts
        self.repromise_ids._refuse(self.note)
        return {"type": "ir.actions.act_window_close"}
