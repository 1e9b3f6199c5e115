"""A change and the re-plan it caused: who saved it, how many orders moved, which promises it broke.

One record per change that touched open orders (``backward.replanner._mark``); an order
waiting for several changes counts in each of them. The scheduled re-plan (or the
queue_job bridge's jobs) counts into it chunk by chunk; when its last order is re-planned,
the person who saved the change is told how many orders moved and which promises the
change now endangers, with a link to the orders.
"""

from markupsafe import Markup

from odoo import api, fields, models

from .client_guards import refuse_client_writes


class BackwardReplanBatch(models.Model):
    _name = "backward.replan.batch"
    _description = "Re-plan after a Change"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _mail_post_access = "read"
    _mail_create_nolog = True

    name = fields.Char("Change", required=True, readonly=True)
    user_id = fields.Many2one("res.users", "Saved by", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [("running", "Re-planning"), ("done", "Done")], default="running", required=True, readonly=True, index=True
    )
    order_count = fields.Integer("Orders Touched", readonly=True)
    done_count = fields.Integer("Orders Re-planned", readonly=True)
    moved_count = fields.Integer(
        "Orders Moved", readonly=True, help="Orders of which a date of the plan moved: a step's start-by or deadline."
    )
    endangered_order_ids = fields.Many2many(
        "sale.order", string="Promises Now Endangered", readonly=True, help="Feasible before the change, not after."
    )
    endangered_count = fields.Integer("Promises Endangered", compute="_compute_endangered_count")
    date_done = fields.Datetime("Finished On", readonly=True)

    @api.depends("endangered_order_ids")
    def _compute_endangered_count(self):
        for batch in self:
            batch.endangered_count = len(batch.endangered_order_ids)

    def write(self, vals):
        refuse_client_writes(self, vals)
        return super().write(vals)

    def _count(self, done, moved, endangered):
        """Add one chunk's figures (the re-plan counts, as superuser: nobody else writes them)."""
        self.ensure_one()
        self.write(
            {
                "done_count": self.done_count + done,
                "moved_count": self.moved_count + moved,
                "endangered_order_ids": [fields.Command.link(order_id) for order_id in endangered],
            }
        )

    def _finish(self):
        """The last order re-planned: tell the person who saved the change."""
        for batch in self:
            batch.write({"state": "done", "date_done": fields.Datetime.now()})
            user = batch.user_id
            if not user or user._is_superuser() or user.share or not user.active:
                continue
            lang = user.lang or self.env.lang
            batch = batch.with_context(lang=lang)
            body = batch.env._(
                "Your change (%(change)s) re-planned %(done)s open order(s): %(moved)s moved.",
                change=batch.name,
                done=batch.done_count,
                moved=batch.moved_count,
            )
            # only the orders of the companies they work in are named to them
            named = batch.endangered_order_ids.filtered_domain([("company_id", "in", user.company_ids.ids)])
            if batch.endangered_order_ids:
                body += " " + batch.env._(
                    "%(count)s promise(s) can no longer be kept: %(orders)s.",
                    count=len(batch.endangered_order_ids),
                    orders=", ".join(named.mapped("name")) or "-",
                )
            else:
                body += " " + batch.env._("Every promise can still be kept.")
            # from OdooBot, and to its reader even when they run it: through the queue_job
            # bridge the job runs as the person who saved the change, and Odoo tells nobody
            # of a message sent as themselves
            batch.message_notify(
                partner_ids=user.partner_id.ids,
                author_id=self.env.ref("base.partner_root").id,
                subject=batch.env._("Re-plan done: %(change)s", change=batch.name),
                body=Markup("<p>%s</p>") % body,
                notify_author=True,
            )

    def action_view_endangered(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promises Endangered by %(change)s", change=self.name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.endangered_order_ids.ids)],
        }
