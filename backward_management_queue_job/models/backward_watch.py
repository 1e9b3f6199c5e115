from odoo import _, api, models
from odoo.tools import SQL

from .backward_jobs import TELL_BUCKET


class BackwardWatch(models.AbstractModel):
    _inherit = "backward.watch"

    @api.model
    def _wake_tell(self):
        """What the watch found to tell becomes jobs, one per bucket of orders: the orders
        to project or escalate, and those whose links' owners must hear (in the watch's
        scheduled action, as root: the jobs keep that environment)."""
        orders = self._pending_orders(projection=True) | self._pending_orders()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT sale_order_id FROM backward_link WHERE %s AND sale_order_id IS NOT NULL",
                self._pending_links_where(),
            )
        )
        orders |= self.env["sale.order"].browse([row[0] for row in self.env.cr.fetchall()])
        orders._backward_enqueue("tell", TELL_BUCKET, _("Tell the owners of %(count)s orders (%(first)s to %(last)s)"))
        # a link of no order is left to the scheduled action's daily run
