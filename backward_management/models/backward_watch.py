"""The watch: steps and links follow reality; the people concerned are told.

Two scheduled actions:

1. "watch the links" (``_cron_backward_watch``) evaluates everything once, set-based:
   the facts of every open step and live link are read in a few statements, the core
   (``scheduling.expectation``) computes each step's expectation and each link's verdict
   in working time, and only the rows that changed are written back, in bulk. Rows a user
   is changing at that moment are skipped and judged at the next pass. When there is
   someone to tell, it wakes the second action.
2. "tell the owners" (``_cron_backward_tell``) works in chunks, with Odoo's cron progress:
   the orders whose steps changed are projected (a forward pass) and their links judged
   again; the owners of links whose state or expectation changed are told; the managers
   of orders projected late are warned. A bad record is logged and skipped.

A second pass with nothing new writes and tells nothing.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..scheduling import expectation as engine
from ..scheduling import from_timestamp, to_timestamp
from ..scheduling.leadtime import core_segments, decode, remaining_segments

_logger = logging.getLogger(__name__)

CHUNK = 100
# The watch's statements are cheap but their estimates are not: compiling them (JIT)
# costs seconds, more than running them. Off for the rest of the transaction.
NO_JIT = SQL("SET LOCAL jit = off")
# Keys of the advisory locks that keep two passes of each action from running at once.
WATCH_LOCK, TELL_LOCK = 0x4261636B, 0x4261636C
# A record whose alert failed is retried after this long, not in a loop.
RETRY_AFTER = timedelta(hours=1)
# Dates far from now are read as this far: a typo in a year must not stretch the calendars.
HORIZON = 3 * 365 * 86400
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


def _ts(moment):
    return to_timestamp(moment) if moment else None


def _dt(instant):
    return from_timestamp(instant) if instant is not None else None


class BackwardWatch(models.AbstractModel):
    _name = "backward.watch"
    _description = "Backward Management Watch"

    # ------------------------------------------------------------------- the crons

    def _lock(self, key):
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", key))
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_backward_watch(self):
        """Evaluate every open step and live link once; wake the notifier when there is news."""
        if not self._lock(WATCH_LOCK):
            _logger.info("Backward watch: another pass is running, this one stops")
            return 0
        self._evaluate()
        if self._count_pending():
            cron = self.env.ref("backward_management.ir_cron_backward_tell", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
        return 0

    @api.model
    def _cron_backward_tell(self):
        """Project, tell and escalate, a chunk at a time; Odoo calls it again while work remains."""
        if not self._lock(TELL_LOCK):
            _logger.info("Backward watch: the owners are being told by another pass, this one stops")
            return 0
        done = self._project_pending(CHUNK)
        done += self._each(self._pending_links(CHUNK), self.env["backward.notifier"]._alert_link, "alert")
        done += self._each(self._pending_orders(CHUNK), self.env["backward.notifier"]._escalate_order, "escalate")
        remaining = self._count_pending()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    # -------------------------------------------------------------- the evaluation

    @api.model
    def _evaluate(self, deadline_ids=None):
        """Expectations of the open steps and verdicts of the live links (all, or those of
        ``deadline_ids``), written where they changed. Returns the ids of the steps that changed."""
        self.env.flush_all()
        self.env.cr.execute(NO_JIT)
        now = to_timestamp(fields.Datetime.now())
        facts = self.env["backward.watch.facts"]
        step_rows = facts._step_rows(deadline_ids)
        link_rows = facts._link_rows(deadline_ids)
        context = _Context(self._calendars(step_rows, link_rows, now))
        expectations, step_changes = {}, []
        for row in step_rows:
            calendar, segments = context.step(row["calendar_id"], row["segments"])
            segments = engine.planned_segments(
                calendar, segments, _ts(row["date_start_deadline"]), _ts(row["date_deadline"])
            )
            expected = engine.expect(self._step_facts(facts, context, row, calendar, segments), now)
            expectations[row["id"]] = (expected, calendar, segments)
            if self._step_changed(row, expected):
                step_changes.append((row, expected))
        changed = self._write_steps(step_changes)
        self._repromises([change for change in step_changes if change[0]["id"] in changed], link_rows, expectations)
        self._mark_projections(changed)
        link_changes = []
        for row in link_rows:
            verdict = engine.judge(self._link_facts(context, row, expectations), now)
            if self._link_changed(row, verdict):
                link_changes.append((row, verdict))
        self._write_links(link_changes)
        return changed

    def _calendars(self, step_rows, link_rows, now):
        """The working calendars of every step, over the span of their dates."""
        keys, instants = set(), [now]
        for row in step_rows:
            keys |= _step_keys(row["calendar_id"], row["segments"])
            keys |= {key for key, _minutes in row["work_left"] or ()}
            instants += [
                _ts(row[name])
                for name in ("date_deadline", "date_start_deadline", "date_planned", "date_document_planned")
                if row[name]
            ]
        for row in link_rows:
            keys |= _step_keys(row["up_calendar_id"], row["up_segments"])
            instants += [_ts(row[name]) for name in ("date_deadline", "date_need", "up_done") if row[name]]
        instants = [min(max(instant, now - HORIZON), now + HORIZON) for instant in instants]
        return self.env["backward.planner"]._calendars(keys, min(instants), max(instants), 62) if keys else {}

    def _step_facts(self, facts, context, row, calendar, segments):
        state = facts._document_state(row)
        done_at, document_date, ordered_at = facts._document_dates(row)
        work_left = row["work_left"]
        return engine.document_facts(
            row["kind"],
            state,
            calendar,
            segments,
            _ts(row["date_deadline"]),
            _ts(row["date_start_deadline"]),
            done_at=_ts(done_at) if state == engine.DONE else None,
            document_date=_ts(document_date),
            reference=_ts(row["date_document_planned"]),
            ordered_at=_ts(ordered_at),
            remaining=context.segments(remaining_segments(work_left)) if work_left is not None else None,
            components_waiting=row["reservation_state"] in ("confirmed", "waiting"),
        )

    @staticmethod
    def _step_changed(row, expected):
        return (
            row["state"] != expected.state
            or row["date_expected"] != _dt(expected.expected)
            or (expected.state == engine.DONE and row["date_done"] != _dt(expected.done_at))
            or bool(row["is_started"]) != expected.is_started
            or (row["expectation_issue"] or None) != expected.issue
        )

    def _link_facts(self, context, row, expectations):
        up = expectations.get(row["upstream_id"])
        if up:
            expected, calendar, segments = up
        else:
            calendar, segments = context.step(row["up_calendar_id"], row["up_segments"])
            segments = engine.planned_segments(calendar, segments, _ts(row["up_start_by"]), _ts(row["up_deadline"]))
            expected = engine.Expectation(
                row["up_state"],
                _ts(row["up_expected"]),
                _ts(row["up_done"]),
                bool(row["up_started"]),
                row["up_issue"] or None,
            )
        down = expectations.get(row["downstream_id"])
        deadline = _ts(row["date_deadline"])
        start_needed = None
        if deadline is not None and not expected.is_started:
            start_needed = engine.start_needed(segments, deadline)
        return engine.LinkFacts(
            calendar,
            deadline,
            _ts(row["date_need"]),
            expected,
            start_needed=start_needed,
            projected=_ts(row["up_projected"]),
            down_state=down[0].state if down else row["down_state"],
            margin=(row["margin"] or 0.0) * 3600,
            order_late=row["order_late"],
        )

    @staticmethod
    def _link_changed(row, verdict):
        return (
            row["state"] != verdict.state
            or row["date_expected"] != _dt(verdict.expected)
            or round(row["delay_hours"] or 0.0, 2) != round(verdict.delay_hours, 2)
            or bool(row["is_absorbed"]) != verdict.absorbed
            or bool(row["endangers_promise"]) != verdict.endangers
            or row["date_handover"] != _dt(verdict.handover)
            or round(row["lateness_hours"] or 0.0, 2) != round(verdict.lateness_hours, 2)
        )

    # ------------------------------------------------------------------ the writes

    def _write_rows(self, table, columns, rows):
        """Write ``rows`` (tuples: id, then ``columns``) in one statement; rows locked by
        another transaction (a user changing them now) are skipped. Returns the ids written."""
        if not rows:
            return []
        names = [name for name, _type in columns]
        values = SQL(", ").join(
            SQL(f"%s::{column_type}[]", [row[index + 1] for row in rows])
            for index, (_name, column_type) in enumerate(columns)
        )
        self.env.cr.execute(
            SQL(
                """
                WITH v AS (SELECT * FROM unnest(%(ids)s::int4[], %(values)s) AS v(id, %(names)s)),
                     locked AS (SELECT t.id FROM %(table)s t JOIN v ON v.id = t.id
                                   FOR NO KEY UPDATE OF t SKIP LOCKED)
                UPDATE %(table)s t SET %(assignments)s
                  FROM v JOIN locked ON locked.id = v.id
                 WHERE t.id = v.id
                RETURNING t.id
                """,
                ids=[row[0] for row in rows],
                values=values,
                names=SQL(", ").join(SQL.identifier(name) for name in names),
                table=SQL.identifier(table),
                assignments=SQL(", ").join(SQL("%s = v.%s", SQL.identifier(n), SQL.identifier(n)) for n in names),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _write_steps(self, changes):
        rows = [
            (
                row["id"],
                expected.state,
                _dt(expected.done_at) if expected.state == engine.DONE else row["date_done"],
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

    def _write_links(self, changes):
        rows = [
            (
                row["id"],
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

    def _repromises(self, changes, link_rows, expectations):
        """A document moved its own date past the need of a link it owes: a re-promise."""
        later = {
            row["id"]: (row["date_expected"], expected)
            for row, expected in changes
            if expected.from_document
            and expected.expected is not None
            and (not row["date_expected"] or _dt(expected.expected) > row["date_expected"])
        }
        moves = {}
        for link in link_rows:
            if link["upstream_id"] not in later or not link["date_need"]:
                continue
            old, expected = later[link["upstream_id"]]
            new = _dt(expected.expected)
            if new > link["date_need"] and (not old or old <= link["date_need"]):
                calendar = expectations[link["upstream_id"]][1]
                hours = engine.working_hours(calendar, _ts(link["date_deadline"]), expected.expected)
                moves[link["id"]] = (old, new, hours)
        if moves:
            links = self.env["backward.link"].sudo().browse(list(moves))
            self.env["backward.notifier"]._record_repromises({link: moves[link.id] for link in links})

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

    # ------------------------------------------------------------ bounded steps

    def _pending_links_where(self):
        return SQL(
            """
            (state != COALESCE(notified_state, 'open')
             OR (state IN ('at_risk', 'late') AND date_expected IS DISTINCT FROM notified_expected))
            AND (alert_error_date IS NULL OR alert_error_date < %s)
            """,
            fields.Datetime.now() - RETRY_AFTER,
        )

    def _pending_links(self, limit=None):
        """Links whose owners have not been told of their state or expectation yet (one query)."""
        self.env.cr.execute(
            SQL("SELECT id FROM backward_link WHERE %s ORDER BY id LIMIT %s", self._pending_links_where(), limit)
        )
        return self.env["backward.link"].sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _pending_orders(self, limit=None, projection=False):
        if projection:
            domain = [("backward_projection_pending", "=", True), ("state", "=", "sale")]
        else:
            domain = [
                ("state", "=", "sale"),
                "|",
                "&",
                ("backward_projected_late", "=", True),
                ("backward_escalated", "=", False),
                "&",
                ("backward_projected_late", "=", False),
                ("backward_escalated", "=", True),
            ]
        return self.env["sale.order"].sudo().search(domain, limit=limit, order="id")

    def _count_pending(self):
        self.env.cr.execute(
            SQL(
                """
                SELECT (SELECT count(*) FROM backward_link WHERE %s)
                     + (SELECT count(*) FROM sale_order
                         WHERE state = 'sale' AND (backward_projection_pending
                               OR COALESCE(backward_projected_late, FALSE) != COALESCE(backward_escalated, FALSE)))
                """,
                self._pending_links_where(),
            )
        )
        return self.env.cr.fetchone()[0]

    def _project_pending(self, limit):
        """Project the orders whose steps changed, then judge their links again."""
        orders = self._pending_orders(limit, projection=True)
        done = self._each(orders, self.env["backward.projection"]._project_sale_orders, "project")
        if orders:
            self.env.cr.execute(
                SQL("SELECT deadline_id FROM backward_deadline_sale_order_rel WHERE order_id = ANY(%s)", orders.ids)
            )
            self._evaluate([row[0] for row in self.env.cr.fetchall()])
        return done

    def _each(self, records, action, what):
        """Run ``action(record)`` in a savepoint per record: one failure is logged, skipped."""
        done = 0
        for record in records:
            try:
                with self.env.cr.savepoint():
                    action(record)
                done += 1
            except Exception:
                _logger.exception("Backward watch: could not %s %s, skipped", what, record)
                if record._name == "backward.link":
                    record.alert_error_date = fields.Datetime.now()
                elif record._name == "sale.order":
                    record._backward_write(
                        {
                            "backward_projection_pending": False,
                            "backward_escalated": record.backward_projected_late,
                        }
                    )
        return done


def _step_keys(calendar_id, segments):
    keys = {(calendar_id, False)}
    keys |= {key for _kind, key, _hours in decode(segments)}
    return keys


class _Context:
    """The calendars of a pass, and the core segments built from them (built once each)."""

    def __init__(self, calendars):
        self.calendars = calendars
        self._steps = {}

    def segments(self, segments):
        return core_segments(segments, self.calendars)

    def step(self, calendar_id, stored):
        """(calendar, core segments) of a step: its deadlines' calendar is its last segment's."""
        key = (calendar_id, _freeze(stored))
        if key not in self._steps:
            segments = decode(stored)
            calendar_key = segments[-1][1] if segments else (calendar_id, False)
            self._steps[key] = (self.calendars[calendar_key], core_segments(segments, self.calendars))
        return self._steps[key]


def _freeze(stored):
    return tuple(tuple(segment) for segment in stored or ())
