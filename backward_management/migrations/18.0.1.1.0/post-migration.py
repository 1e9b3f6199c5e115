"""An order waits for every change that touched it, not only the first (backward_replan_batch_ids).

Orders still waiting for a re-plan when the database is upgraded keep their change: the old
column (left in place by Odoo) is copied into the new relation, so that the change's batch
still counts them and finishes.
"""


def migrate(cr, version):
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'sale_order' AND column_name = 'backward_replan_batch_id'
        """
    )
    if not cr.fetchone():
        return
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
