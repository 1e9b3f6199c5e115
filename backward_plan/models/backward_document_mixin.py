from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class BackwardDocumentMixin(models.AbstractModel):
    """What a manufacturing order, transfer or purchase line shows of its step.

    The inheriting model declares ``backward_deadline_ids``, the one2many of the
    deadlines of its step (one, or none when it serves no sale order).
    """

    _name = "backward.document.mixin"
    _description = "Document with a Backward Deadline"

    # The party that agrees plans from this kind of document ("production", "purchase").
    _backward_party = None

    backward_awaits_agreement = fields.Boolean(
        compute="_compute_backward_awaits_agreement",
        help="A sale order this document serves has a plan waiting for this party's agreement.",
    )
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

    backward_schedule_note = fields.Char(
        "From the Plan",
        compute="_compute_backward_schedule_note",
        help="Which of Odoo's own dates on this document the agreed backward plan wrote.",
    )

    @api.depends("backward_deadline_ids.date_deadline", "backward_deadline_ids.date_start_deadline")
    def _compute_backward_schedule_note(self):
        for record in self:
            deadlines = record._backward_live_deadlines()
            notes = []
            if deadlines:
                finish = min(deadlines.mapped("date_deadline"))
                start = min(deadlines.mapped("date_start_deadline"))
                if "date_deadline" in record._fields and record.date_deadline == finish:
                    notes.append(_("deadline"))
                if record._name == "mrp.production" and record.date_start == start:
                    notes.append(_("scheduled start"))
                # a request for quotation asks its vendor for the plan's dates
                rfq = record._name in ("purchase.order", "purchase.order.line") and record.state in ("draft", "sent")
                if rfq and record._name == "purchase.order" and record.date_order == start:
                    notes.append(_("order deadline"))
                if rfq and record.date_planned == finish:
                    notes.append(_("expected arrival"))
            record.backward_schedule_note = ", ".join(notes)

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
                            f"{link.downstream_id.name} ({link.sale_order_name})"
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

    def _backward_orders_to_agree(self):
        """The sale orders served by these documents whose plan waits for this party's agreement."""
        order_ids = sorted({order_id for ids in self._backward_orders_to_agree_ids().values() for order_id in ids})
        return self.env["sale.order"].browse(order_ids)

    def _backward_orders_to_agree_ids(self):
        """{document id: [sale order ids]} whose plan waits for this party's agreement.

        Ids and plan states only, in one query: production and purchasing users may not
        read sale orders; ``sale.order._backward_agree`` checks who agrees, then writes.
        """
        party = self._backward_party
        ids = self._origin.ids
        if not party or not ids:
            return {}
        inverse = self._fields["backward_deadline_ids"].inverse_name
        agreed = f"backward_{party}_agreed_uid"
        self.env["sale.order"].flush_model(["backward_plan_state", agreed])
        self.env["backward.deadline"].flush_model([inverse, "sale_order_ids"])
        self.env.cr.execute(
            SQL(
                """
                SELECT step.%(inverse)s, array_agg(DISTINCT sale.id ORDER BY sale.id)
                  FROM backward_deadline step
                  JOIN backward_deadline_sale_order_rel served ON served.deadline_id = step.id
                  JOIN sale_order sale ON sale.id = served.order_id
                 WHERE step.%(inverse)s = ANY(%(ids)s)
                   AND sale.backward_plan_state = 'proposed'
                   AND sale.%(agreed)s IS NULL
                 GROUP BY step.%(inverse)s
                """,
                inverse=SQL.identifier(inverse),
                ids=ids,
                agreed=SQL.identifier(agreed),
            )
        )
        return dict(self.env.cr.fetchall())

    def _compute_backward_awaits_agreement(self):
        waiting = self._backward_orders_to_agree_ids()
        for record in self:
            record.backward_awaits_agreement = bool(waiting.get(record._origin.id))

    def action_backward_agree_plan(self):
        """Agree, for this document's party, the plans of the sale orders it serves."""
        self.check_access("write")
        orders = self._backward_orders_to_agree()
        if not orders:
            raise UserError(_("No plan served by %(document)s waits for its agreement.", document=self.display_name))
        return orders.with_user(self.env.user)._backward_agree(self._backward_party)

    def action_view_backward_links(self):
        """The links this document gives and receives."""
        action = self.env["ir.actions.act_window"]._for_xml_id("backward_plan.backward_link_action")
        deadlines = self._backward_live_deadlines()
        action["domain"] = [
            "|",
            ("upstream_id", "in", deadlines.ids),
            ("downstream_id", "in", deadlines.ids),
        ]
        action["context"] = {"search_default_not_cancelled": 1}
        return action
