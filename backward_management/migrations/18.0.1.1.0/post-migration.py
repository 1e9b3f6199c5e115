"""An order waits for every change that touched it, not only the first (backward_replan_batch_ids).

Orders still waiting for a re-plan when the database is upgraded keep their change: the old
column (left in place by Odoo) is copied into the new relation, so that the change's batch
still counts them and finishes. A re-promise's effect now stores whether the promise holds
(``effect_feasible``); those recorded before get it from the lateness they showed.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'sale_order' AND column_name = 'backward_replan_batch_id'
        """
    )
    if cr.fetchone():
        _copy_pending_batches(cr)
    _store_promise_verdicts(cr)


def _copy_pending_batches(cr):
    cr.execute(
        """
        INSERT INTO backward_replan_batch_pending_rel (order_id, batch_id)
        SELECT so.id, so.backward_replan_batch_id
          FROM sale_order so
          JOIN backward_replan_batch batch ON batch.id = so.backward_replan_batch_id
         WHERE so.backward_replan_batch_id IS NOT NULL
        ON CONFLICT DO NOTHING
        """
    )
    cr.execute("ALTER TABLE sale_order DROP COLUMN backward_replan_batch_id")


def _store_promise_verdicts(cr):
    """A re-promise waiting for consent is shown its effect again, with the verdict; one
    already decided keeps what its decider was shown: kept when the customer was served in time."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["backward.repromise"].search([("state", "=", "pending")])._compute_effect()
    env.flush_all()
    cr.execute(
        """
        UPDATE backward_repromise SET effect_feasible = COALESCE(effect_customer_hours, 0) <= 0
         WHERE state != 'pending' AND effect_delivery IS NOT NULL AND effect_feasible IS NOT TRUE
        """
    )
