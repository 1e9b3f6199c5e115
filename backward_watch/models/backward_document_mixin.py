"""What a manufacturing order, transfer or purchase shows of the watch: the banners."""

from markupsafe import Markup, escape

from odoo import _, api, fields, models

from odoo.addons.backward_plan.scheduling.expectation import LIVE


class BackwardDocumentMixin(models.AbstractModel):
    _inherit = "backward.document.mixin"

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
        customer, its start-by, the order and the delivery date at stake."""
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
