from odoo import _, api, models

from odoo.addons.backward_plan.models.client_guards import require_superuser

from .backward_jobs import CHANNEL, MAX_RETRIES, REPLAN_BUCKET


class BackwardReplanner(models.AbstractModel):
    _inherit = "backward.replanner"

    @api.model
    def _wake(self):
        """One job queues the re-plans, so that the person saving a change does not wait
        for them to be queued; while it waits, no second one is queued."""
        self.with_delay(
            channel=CHANNEL,
            max_retries=MAX_RETRIES,
            identity_key="backward_replan_dispatch",
            description=_("Queue the re-plans after a change"),
        )._backward_dispatch_replans()

    @api.model
    def _backward_dispatch_replans(self):
        """The marked orders become jobs, one per bucket, instead of the cron's chunks.

        Queued by ``_wake`` under the elevation of ``backward.replanner._touch``: queue_job
        keeps that environment (superuser) for the job.
        """
        require_superuser(self)
        orders = self.env["sale.order"].search([("backward_replan_reason", "!=", False)], order="id")
        orders._backward_enqueue(
            "replan", REPLAN_BUCKET, _("Re-plan %(count)s orders after a change (%(first)s to %(last)s)")
        )
        return len(orders)
