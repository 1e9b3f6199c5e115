"""The three-party agreement of a sale order's plan, and the baseline it fixes.

Sales, production and purchasing each agree the times of their part of the chain; when
the last party needed agrees, the deadlines become the baseline the watch measures
against, and the agreed plan becomes Odoo's own schedule.
"""

from markupsafe import Markup

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .client_guards import require_superuser

# The parties that agree a plan, the group each must belong to, and the kinds of
# steps that make their agreement necessary (sales always agree).
AGREEMENT_PARTIES = {
    "sales": ("sales_team.group_sale_salesman", None),
    "production": ("mrp.group_mrp_user", "production"),
    "purchase": ("purchase.group_purchase_user", "purchase"),
}


class SaleOrder(models.Model):
    # one job a file: the order's plan fields in sale_order.py, its agreement here
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _backward_agreement_reset_vals(self):
        vals = {"backward_plan_state": "proposed", "backward_agreed_on": False}
        for party in AGREEMENT_PARTIES:
            vals[f"backward_{party}_agreed_uid"] = False
            vals[f"backward_{party}_agreed_on"] = False
        return vals

    def _backward_parties_needed(self):
        self.ensure_one()
        kinds = set(self.backward_deadline_ids.filtered(lambda d: d.state != "cancel").mapped("kind"))
        return [party for party, (_group, kind) in AGREEMENT_PARTIES.items() if kind is None or kind in kinds]

    def _backward_agree(self, party):
        """Record ``party``'s agreement; the last one needed fixes the baseline.

        Production and purchasing users may not read sale orders: the check is on their
        group, then the order is written as superuser in their name.
        """
        group, _kind = AGREEMENT_PARTIES[party]
        labels = {"sales": _("Sales"), "production": _("Production"), "purchase": _("Purchasing")}
        if not self.env.user.has_group(group):
            raise AccessError(
                _(
                    "Only %(party)s users may agree the %(party)s part of a plan.",
                    party=labels[party],
                )
            )
        # sudo: production and purchasing users agree the plans of orders they may not read
        orders = self.sudo()
        foreign = orders.filtered(lambda order: order.company_id not in self.env.user.company_ids)
        if foreign:
            raise AccessError(
                _(
                    "%(orders)s belong to a company you do not work for: its plan is agreed there.",
                    orders=", ".join(foreign.mapped("name")),
                )
            )
        complete = orders.browse()  # the orders this agreement completes, their baseline set together
        for order in orders:
            if order.backward_plan_state != "proposed":
                raise UserError(
                    _(
                        "The plan of %(order)s is not waiting for agreement: re-plan the order first.",
                        order=order.name,
                    )
                )
            if party not in order._backward_parties_needed():
                raise UserError(
                    _(
                        "The chain of %(order)s has no %(party)s step to agree.",
                        order=order.name,
                        party=labels[party],
                    )
                )
            if order[f"backward_{party}_agreed_uid"]:
                raise UserError(
                    _(
                        "%(party)s already agreed the plan of %(order)s.",
                        party=labels[party],
                        order=order.name,
                    )
                )
            order._backward_write(
                {
                    f"backward_{party}_agreed_uid": self.env.user.id,
                    f"backward_{party}_agreed_on": fields.Datetime.now(),
                }
            )
            order.message_post(
                body=_("%(party)s agreed the backward plan.", party=labels[party]),
                author_id=self.env.user.partner_id.id,
            )
            if all(order[f"backward_{needed}_agreed_uid"] for needed in order._backward_parties_needed()):
                complete |= order
        if complete:
            complete._backward_set_baseline()
        return True

    def action_backward_agree_sales(self):
        self.check_access("read")
        return self._backward_agree("sales")

    def action_backward_agree_production(self):
        return self._backward_agree("production")

    def action_backward_agree_purchase(self):
        return self._backward_agree("purchase")

    def _backward_set_baseline(self, message=None):
        """All parties agreed (or the side concerned accepted a re-promise, ``message``): the
        current deadlines of the orders become their baseline (two queries for all of them),
        and their plans Odoo's own dates (in bulk). As superuser: the agreement and the
        accepted re-promise elevated."""
        require_superuser(self)
        deadlines = self.backward_deadline_ids.filtered(lambda d: d.state != "cancel")
        self.env.cr.execute(
            SQL(
                "UPDATE backward_deadline SET date_deadline_baseline = date_deadline, "
                "date_start_deadline_baseline = date_start_deadline WHERE id = ANY(%s)",
                deadlines.ids,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE backward_link SET date_deadline_baseline = date_deadline "
                "WHERE downstream_id = ANY(%s) AND state != 'cancel'",
                deadlines.ids,
            )
        )
        deadlines.invalidate_recordset(["date_deadline_baseline", "date_start_deadline_baseline"])
        self.env["backward.link"].invalidate_model(["date_deadline_baseline"])
        self._backward_write({"backward_plan_state": "agreed", "backward_agreed_on": fields.Datetime.now()})
        # the agreed plan becomes Odoo's own schedule
        self.env["backward.schedule.writer"]._apply(self)
        body = message or Markup("<p>%s</p>") % _(
            "Sales, production and purchasing agreed the plan: its dates are now the baseline."
        )
        for order in self:
            order.message_post(body=body)
