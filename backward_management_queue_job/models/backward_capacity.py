from odoo import _, api, fields, models

from odoo.addons.queue_job.delay import chain

from .backward_jobs import CHANNEL, MAX_RETRIES


class BackwardCapacity(models.AbstractModel):
    _inherit = "backward.capacity"

    @api.model
    def _run_capacity_chunks(self, chunks):
        """The chunks of a full re-plan become a chain of jobs: each starts when the one
        before it is done, so that the most urgent orders still take the work centers first."""
        delayables = []
        run = f"{chunks[0][:1].company_id.id}:{fields.Datetime.now().isoformat()}" if chunks else ""
        for index, orders in enumerate(chunks):
            delayables.append(
                orders.delayable(
                    channel=CHANNEL,
                    max_retries=MAX_RETRIES,
                    identity_key=f"backward_capacity:{run}:{index}",
                    description=_(
                        "Place %(count)s orders on the work centers (%(index)s of %(total)s)",
                        count=len(orders),
                        index=index + 1,
                        total=len(chunks),
                    ),
                )._backward_capacity_job()
            )
        if delayables:
            chain(*delayables).delay()
