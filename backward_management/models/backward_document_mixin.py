from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..scheduling.expectation import LIVE


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

    backward_date_expected = fields.Datetime(
        "Expected",
        compute="_compute_backward_watch",
        help="When the document is now expected to be done.",
    )
    backward_gap_hours = fields.Float(
        "Gap (hours)",
        compute="_compute_backward_watch",
        help="Expected handover minus the deadline, for the most delayed need: positive when late.",
    )
    backward_alert_level = fields.Selection(
        [("ok", "On track"), ("absorbed", "Absorbed"), ("at_risk", "At risk"), ("late", "Late")],
        compute="_compute_backward_watch",
    )
    backward_alert_html = fields.Html("Downstream at Stake", compute="_compute_backward_watch", sanitize=False)
    backward_inputs_alert_html = fields.Html("Inputs at Risk", compute="_compute_backward_watch", sanitize=False)
    backward_has_late_input = fields.Boolean(compute="_compute_backward_watch")

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

    @api.depends("backward_deadline_ids.date_expected", "backward_deadline_ids.downstream_link_ids.state")
    def _compute_backward_watch(self):
        for record in self:
            deadlines = record._backward_live_deadlines()
            needs = deadlines.downstream_link_ids.filtered(lambda link: link.state in LIVE)
            inputs = deadlines.upstream_link_ids.filtered(lambda link: link.state in ("at_risk", "late"))
            # the handover expected for the needs (projection included), else the step's own
            expected = [link.date_expected for link in needs if link.date_expected]
            expected = expected or [d.date_expected for d in deadlines if d.date_expected]
            record.backward_date_expected = max(expected) if expected else False
            record.backward_gap_hours = max(needs.mapped("delay_hours"), default=0.0)
            states = set(needs.mapped("state"))
            record.backward_alert_level = next(
                (level for level in ("late", "at_risk", "absorbed") if level in states), "ok"
            )
            record.backward_alert_html = record._backward_needs_table(needs) if needs else False
            record.backward_inputs_alert_html = record._backward_inputs_table(inputs) if inputs else False
            record.backward_has_late_input = any(
                link.state in ("late", "done_late") for link in deadlines.upstream_link_ids
            )

    def _backward_format(self, moment):
        return self.env["backward.notifier"]._format(moment) if moment else "—"

    def _backward_table(self, headers, rows):
        head = Markup("").join(Markup("<th>%s</th>") % header for header in headers)
        body = Markup("").join(
            Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % escape(cell) for cell in row)
            for row in rows
        )
        return Markup('<table class="table table-sm mb-0"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>') % (
            head,
            body,
        )

    def _backward_needs_table(self, links):
        """What waits for this document: through transfers, the manufacturing order or the
        customer, its start-by, the order and the delivery date at stake.

        Read as the user: the steps and links are the plan every employee reads, and the
        link carries what is shown of the order (a buyer may not read sale orders)."""
        states = dict(links._fields["state"]._description_selection(self.env))
        rows = []
        for link in links.sorted("date_deadline"):
            stake = link._backward_stake()
            rows.append(
                (
                    stake.name,
                    self._backward_format(stake.date_start_deadline),
                    f"{link.sale_order_name} · {link.customer_id.display_name}" if link.sale_order_id else "—",
                    self._backward_format(link.date_promise) if link.sale_order_id else "—",
                    self._backward_format(link.date_deadline),
                    self._backward_format(link.date_expected),
                    _("%(hours)s h", hours=round(link.delay_hours, 1)) if link.date_expected else "—",
                    self._backward_status(link, states),
                )
            )
        headers = (
            _("At Stake"),
            _("Start By"),
            _("Order · Customer"),
            _("Delivery"),
            _("Hand Over By"),
            _("Expected"),
            _("Gap"),
            _("Status"),
        )
        return self._backward_table(headers, rows)

    def _backward_status(self, link, states):
        if link.state == "at_risk" and link.delay_hours <= 0:
            return _("At risk: not started by its start-by date")
        return states.get(link.state)

    def _backward_owner_label(self, link):
        """Whose the input is; and why, when its document names nobody."""
        if not link.upstream_user_id:
            return "—"
        sources = dict(link.upstream_id._fields["owner_source"]._description_selection(self.env))
        source = link.upstream_id.owner_source
        if source and source != "document":
            return _("%(user)s (%(origin)s)", user=link.upstream_user_id.name, origin=sources[source])
        return link.upstream_user_id.name

    def _backward_inputs_table(self, links):
        """The inputs at risk or late: by how much, and whose they are."""
        states = dict(links._fields["state"]._description_selection(self.env))
        rows = [
            (
                link.upstream_ref,
                self._backward_owner_label(link),
                self._backward_format(link.date_deadline),
                self._backward_format(link.date_expected),
                _("%(hours)s h", hours=round(max(link.delay_hours, link.lateness_hours), 1)),
                states.get(link.state),
            )
            for link in links.sorted("date_deadline")
        ]
        headers = (
            _("Input"),
            _("Owner"),
            _("Hand Over By"),
            _("Expected"),
            _("Late By"),
            _("Status"),
        )
        return self._backward_table(headers, rows)

    def action_backward_review_late_input(self):
        """Review a late input of this document: at once when there is one, else pick it."""
        self.ensure_one()
        late = self._backward_live_deadlines().upstream_link_ids.filtered(
            lambda link: link.state in ("late", "done_late")
        )
        if len(late) == 1:
            return late.action_open_review()
        action = self.action_view_backward_links()
        action["domain"] = [("id", "in", late.ids)]
        action["context"] = {}
        return action

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

    def action_view_backward_timeline(self):
        """The timeline of every chain this document belongs to."""
        return self.env["backward.timeline"]._action(self)

    def action_view_backward_links(self):
        """The links this document gives and receives."""
        action = self.env["ir.actions.act_window"]._for_xml_id("backward_management.backward_link_action")
        deadlines = self._backward_live_deadlines()
        action["domain"] = [
            "|",
            ("upstream_id", "in", deadlines.ids),
            ("downstream_id", "in", deadlines.ids),
        ]
        action["context"] = {"search_default_not_cancelled": 1}
        return action
