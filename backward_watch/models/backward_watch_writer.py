"""The watch's writes: thousands of rows in a few statements, never blocking on a user.

Few rows go as arrays in one statement; many through a temporary table filled by COPY.
Rows a user's transaction holds at that moment are skipped, and judged at the next pass.
"""

import csv
import io

import psycopg2.errors

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.backward_plan.scheduling import expectation as engine

from . import backward_watch_facts as F
from .backward_watch_facts import dt as _dt

# From this many rows, a write goes through a temporary table filled by COPY.
COPY_FROM = 2000
# How long a large write waits for rows a user holds before it skips them.
LOCK_WAIT = "500ms"
STEP_FIELDS = ("state", "date_done", "date_expected", "is_started", "expectation_issue")
LINK_FIELDS = (
    "state",
    "date_expected",
    "delay_hours",
    "is_absorbed",
    "endangers_promise",
    "date_handover",
    "lateness_hours",
    "is_on_time",
    "on_time_rate",
)


class BackwardWatchWriter(models.AbstractModel):
    _name = "backward.watch.writer"
    _description = "Backward Management Watch Writes"

    @api.model
    def _write_rows(self, table, columns, rows):
        """Write ``rows`` (tuples: id, then ``columns``) in a few statements whatever their
        number; rows locked by another transaction (a user changing them now) are skipped
        and judged at the next pass. Returns the ids written."""
        if not rows:
            return []
        names = [name for name, _type in columns]
        source = self._rows_source(table, columns, rows)
        assignments = SQL(", ").join(SQL("%s = v.%s", SQL.identifier(n), SQL.identifier(n)) for n in names)
        table_sql = SQL.identifier(table)
        skip_locked = SQL(
            """
            WITH v AS (%(source)s),
                 locked AS (SELECT t.id FROM %(table)s t JOIN v ON v.id = t.id FOR NO KEY UPDATE OF t SKIP LOCKED)
            UPDATE %(table)s t SET %(assignments)s FROM v JOIN locked ON locked.id = v.id
             WHERE t.id = v.id
            RETURNING t.id
            """,
            source=source,
            table=table_sql,
            assignments=assignments,
        )
        if len(rows) < COPY_FROM:
            self.env.cr.execute(skip_locked)
            return [row[0] for row in self.env.cr.fetchall()]
        try:
            # many rows, usually held by nobody: update them at once, without locking them first
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("SELECT set_config('lock_timeout', %s, true)", LOCK_WAIT))
                self.env.cr.execute(
                    SQL(
                        "WITH v AS (%s) UPDATE %s t SET %s FROM v WHERE t.id = v.id RETURNING t.id",
                        source,
                        table_sql,
                        assignments,
                    )
                )
                written = [row[0] for row in self.env.cr.fetchall()]
        except psycopg2.errors.LockNotAvailable:
            # someone holds some of them: write the others, skip those
            self.env.cr.execute(skip_locked)
            written = [row[0] for row in self.env.cr.fetchall()]
        finally:
            self.env.cr.execute(SQL("SELECT set_config('lock_timeout', %s, true)", "0"))
        self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(f"{table}_watch")))
        return written

    def _rows_source(self, table, columns, rows):
        """The rows as a relation: arrays for a few, a temporary table filled by COPY for many."""
        names = SQL(", ").join(SQL.identifier(name) for name, _type in columns)
        if len(rows) < COPY_FROM:
            values = SQL(", ").join(
                SQL(f"%s::{column_type}[]", [row[index + 1] for row in rows])
                for index, (_name, column_type) in enumerate(columns)
            )
            return SQL("SELECT * FROM unnest(%s::int4[], %s) AS v(id, %s)", [row[0] for row in rows], values, names)
        temporary = SQL.identifier(f"{table}_watch")
        self.env.cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s (id int4, %s)",
                temporary,
                SQL(", ").join(SQL(f"%s {column_type}", SQL.identifier(name)) for name, column_type in columns),
            )
        )
        buffer = io.StringIO()
        # CSV: an empty field is NULL, booleans read as true/false (C-speed writer)
        csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
        buffer.seek(0)
        self.env.cr.copy_expert(f"COPY {table}_watch FROM STDIN WITH (FORMAT csv, DELIMITER E'\\t')", buffer)
        return SQL("SELECT * FROM %s", temporary)

    @api.model
    def _write_steps(self, changes):
        rows = [
            (
                row[F.S_ID],
                expected.state,
                _dt(expected.done_at) if expected.state == engine.DONE else row[F.S_DONE],
                _dt(expected.expected),
                expected.is_started,
                expected.issue,
            )
            for row, expected in changes
        ]
        columns = [
            ("state", "varchar"),
            ("date_done", "timestamp"),
            ("date_expected", "timestamp"),
            ("is_started", "bool"),
            ("expectation_issue", "varchar"),
        ]
        written = self._write_rows("backward_deadline", columns, rows)
        if written:
            self.env["backward.deadline"].invalidate_model(list(STEP_FIELDS))
        return written

    @api.model
    def _write_links(self, changes):
        rows = [
            (
                row[F.L_ID],
                verdict.state,
                _dt(verdict.expected),
                round(verdict.delay_hours, 4),
                verdict.absorbed,
                verdict.endangers,
                _dt(verdict.handover),
                round(verdict.lateness_hours, 4),
                verdict.state == engine.HANDED_OVER,
                {engine.HANDED_OVER: 100.0, engine.HANDED_OVER_LATE: 0.0}.get(verdict.state),
            )
            for row, verdict in changes
        ]
        columns = [
            ("state", "varchar"),
            ("date_expected", "timestamp"),
            ("delay_hours", "float8"),
            ("is_absorbed", "bool"),
            ("endangers_promise", "bool"),
            ("date_handover", "timestamp"),
            ("lateness_hours", "float8"),
            ("is_on_time", "bool"),
            ("on_time_rate", "float8"),
        ]
        written = self._write_rows("backward_link", columns, rows)
        if written:
            self.env["backward.link"].invalidate_model(list(LINK_FIELDS))
        return written

    @api.model
    def _mark_projections(self, deadline_ids):
        """The orders served by a step whose reality changed must be projected again."""
        if not deadline_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_order SET backward_projection_pending = TRUE
                 WHERE state = 'sale' AND backward_projection_pending IS NOT TRUE AND id IN (
                       SELECT order_id FROM backward_deadline_sale_order_rel WHERE deadline_id = ANY(%s))
                """,
                list(deadline_ids),
            )
        )
        self.env["sale.order"].invalidate_model(["backward_projection_pending"])
