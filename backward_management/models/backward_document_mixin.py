from odoo import api, fields, models


class BackwardDocumentMixin(models.AbstractModel):
    """What a manufacturing order, transfer or purchase line shows of its step.

    The inheriting model declares ``backward_deadline_ids``, the one2many of the
    deadlines of its step (one, or none when it serves no sale order).
    """

    _name = "backward.document.mixin"
    _description = "Document with a Backward Deadline"

    backward_date_deadline = fields.Datetime(
        "Hand Over By",
        compute="_compute_backward_dates",
        help="Latest finish planned backward from the customer's date, buffer included.",
    )
    backward_date_start_deadline = fields.Datetime(
        "Start By",
        compute="_compute_backward_dates",
        help="Latest start planned backward from the customer's date.",
    )
    backward_feeds = fields.Char(
        "Feeds",
        compute="_compute_backward_dates",
        help="The downstream steps this document's output is needed by.",
    )
    backward_is_start_past = fields.Boolean("Start By Past", compute="_compute_backward_dates")
    backward_upstream_link_ids = fields.Many2many(
        "backward.link",
        string="Inputs",
        compute="_compute_backward_links",
        help="The handovers this document waits for.",
    )
    backward_downstream_link_ids = fields.Many2many(
        "backward.link",
        string="Outputs",
        compute="_compute_backward_links",
        help="The handovers this document owes.",
    )

    def _backward_live_deadlines(self):
        return self.backward_deadline_ids.filtered(lambda deadline: deadline.state != "cancel")

    @api.depends("backward_deadline_ids.date_deadline", "backward_deadline_ids.state")
    def _compute_backward_dates(self):
        for record in self:
            deadlines = record._backward_live_deadlines()
            finishes = [d.date_deadline for d in deadlines if d.date_deadline]
            starts = [d.date_start_deadline for d in deadlines if d.date_start_deadline]
            record.backward_date_deadline = min(finishes) if finishes else False
            record.backward_date_start_deadline = min(starts) if starts else False
            record.backward_is_start_past = any(deadlines.mapped("is_start_past"))
            feeds = deadlines.downstream_link_ids.filtered(lambda link: link.state != "cancel")
            record.backward_feeds = (
                ", ".join(
                    sorted(
                        {
                            f"{link.downstream_id.name} ({link.sale_order_id.name})"
                            if link.sale_order_id
                            else link.downstream_id.name
                            for link in feeds
                        }
                    )
                )
                or False
            )

    @api.depends("backward_deadline_ids")
    def _compute_backward_links(self):
        for record in self:
            deadlines = record._backward_live_deadlines()
            record.backward_upstream_link_ids = deadlines.upstream_link_ids.filtered(
                lambda link: link.state != "cancel"
            )
            record.backward_downstream_link_ids = deadlines.downstream_link_ids.filtered(
                lambda link: link.state != "cancel"
            )

    def action_view_backward_links(self):
        """The links this document gives and receives."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "backward_management.backward_link_action"
        )
        deadlines = self._backward_live_deadlines()
        action["domain"] = [
            "|",
            ("upstream_id", "in", deadlines.ids),
            ("downstream_id", "in", deadlines.ids),
        ]
        action["context"] = {"search_default_not_cancelled": 1}
        return action
