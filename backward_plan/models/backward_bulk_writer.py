"""Write many rows of the plan at once, and keep Odoo's caches and stored fields true.

The planner and the watch write thousands of deadlines and links; one ``UPDATE ... FROM
(VALUES ...)`` does what a ``write`` per record would, in one statement. What the ORM
would have done on the way is done here too: the cache forgets the old values, and the
stored fields computed from them elsewhere (the related owners and order copied on
reviews and re-promises) are recomputed.
"""

import json

from odoo import api, models
from odoo.tools import SQL


class BackwardBulkWriter(models.AbstractModel):
    _name = "backward.bulk.writer"
    _description = "Backward Management Bulk Writes"

    @api.model
    def _comparable(self, model, vals, fnames):
        return {fname: self._comparable_value(model, fname, vals.get(fname)) for fname in fnames}

    @api.model
    def _comparable_value(self, model, fname, value):
        """Record values and planned values in one form, to tell what really changed."""
        field_ = model._fields.get(fname)
        if field_ is None:
            return value
        if field_.type == "many2one":
            return value.id if isinstance(value, models.BaseModel) else (value or False)
        if field_.type == "float":
            return round(value or 0.0, 4)
        if field_.type in ("datetime", "char", "selection", "json"):
            return value or False
        return value

    @api.model
    def _bulk_update(self, model, updates, fnames, changed=None):
        """Write ``{id: vals}`` to ``model`` in one statement; fields computed from them follow.

        ``changed``: the fields whose values really changed (all of ``fnames`` if not given):
        only the stored fields computed from those are recomputed.
        """
        if not updates:
            return
        fnames = [fname for fname in fnames if fname in model._fields]
        columns = [(fname, model._fields[fname].column_type[1]) for fname in fnames]
        rows = []
        for record_id, vals in updates.items():
            values = [SQL("%s::int4", record_id)]
            for fname, column_type in columns:
                value = self._comparable_value(model, fname, vals.get(fname))
                if value is False and model._fields[fname].type != "boolean":
                    value = None
                elif model._fields[fname].type == "json":
                    value = json.dumps(value)
                values.append(SQL(f"%s::{column_type}", value))
            rows.append(SQL("(%s)", SQL(", ").join(values)))
        assignments = SQL(", ").join(
            SQL("%s = v.%s", SQL.identifier(fname), SQL.identifier(fname)) for fname, _type in columns
        )
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s, write_uid = %s, write_date = (now() at time zone 'UTC') "
                "FROM (VALUES %s) AS v(id, %s) WHERE t.id = v.id",
                SQL.identifier(model._table),
                assignments,
                self.env.uid,
                SQL(", ").join(rows),
                SQL(", ").join(SQL.identifier(fname) for fname, _type in columns),
            )
        )
        records = model.browse(list(updates))
        records.invalidate_recordset([*fnames, "write_date", "write_uid"])
        # stored fields depending on them (a review's owners, say) are recomputed
        changed = fnames if changed is None else [fname for fname in fnames if fname in changed]
        if changed:
            records.modified(changed)
