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
   of orders projected late are warned. A bad record is logged and skipped
   (``backward_watch_tell.py``).

A second pass with nothing new writes and tells nothing.
"""

import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.backward_plan.models.query_plans import NO_JIT
from odoo.addons.backward_plan.scheduling import expectation as engine
from odoo.addons.backward_plan.scheduling import to_timestamp
from odoo.addons.backward_plan.scheduling.leadtime import core_segments, decode, remaining_segments

from . import backward_watch_facts as F
from .backward_watch_facts import ts as _ts

_logger = logging.getLogger(__name__)

CHUNK = 100
# Projecting an order reads and writes a few rows, telling a link's owner writes their
# activity and chatter: the scheduled action projects more orders at a time than it tells
# owners, and records the links with nothing to tell (the notifier's QUIET) by thousands.
PROJECT_CHUNK = 500
QUIET_CHUNK = 5000
# Keys of the advisory locks that keep two passes of each action from running at once.
WATCH_LOCK, TELL_LOCK = 0x4261636B, 0x4261636C
# A record whose alert failed is retried after this long, not in a loop.
RETRY_AFTER = timedelta(hours=1)
# Dates far from now are read as this far: a typo in a year must not stretch the calendars.
HORIZON = 3 * 365 * 86400


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
        self.env["backward.repromise"]._escalate_unanswered()
        if self._count_pending():
            self._wake_tell()
        return 0

    # -------------------------------------------------------------- the evaluation

    @api.model
    def _evaluate(self, deadline_ids=None, calendars=None, mark=True):
        """Expectations of the open steps and verdicts of the live links (all, or those of
        ``deadline_ids``), written where they changed. Returns the ids of the steps that changed.

        ``calendars``: those the planner just built for these steps, when it calls.
        ``mark``: flag the orders of the steps that changed for a projection (not when the
        projection itself calls: its orders were just projected).
        """
        self.env.flush_all()
        if deadline_ids is None:
            # the whole pass is one scheduled transaction: off for the rest of it
            self.env.cr.execute(NO_JIT)
        now = to_timestamp(fields.Datetime.now())
        reader = self.env["backward.watch.facts"]
        step_rows, receipts, work_left = reader._step_rows(deadline_ids)
        link_rows = reader._link_rows(deadline_ids)
        evaluated = {row[F.S_ID] for row in step_rows}
        upstreams = reader._upstream_rows({row[F.L_UP] for row in link_rows} - evaluated)
        keys = self._calendar_keys(step_rows, upstreams.values(), work_left)
        if calendars is None or not keys <= set(calendars):
            calendars = self._calendars(keys, step_rows, link_rows, upstreams.values(), now)
        context = _Context(calendars)
        expectations, step_changes = {}, []
        expect, step_facts, step_changed = engine.expect, self._step_facts, self._step_changed
        for row in step_rows:
            try:
                expected = expect(step_facts(reader, context, row, receipts, work_left), now)
            except KeyError:
                continue  # its calendar could not be built (logged): judged once re-planned
            expectations[row[F.S_ID]] = expected
            if step_changed(row, expected):
                step_changes.append((row, expected))
        writer = self.env["backward.watch.writer"]
        changed = set(writer._write_steps(step_changes))
        self._repromises([change for change in step_changes if change[0][F.S_ID] in changed], link_rows, context)
        if mark:
            writer._mark_projections(changed)
        link_changes = []
        judge, link_facts, link_changed = engine.judge, self._link_facts, self._link_changed
        for row in link_rows:
            try:
                verdict = judge(link_facts(context, row, expectations, upstreams), now)
            except KeyError:
                continue
            if link_changed(row, verdict):
                link_changes.append((row, verdict))
        writer._write_links(link_changes)
        return changed

    @staticmethod
    def _calendar_keys(step_rows, upstream_rows, work_left):
        pairs = {(row[F.S_CALENDAR], row[F.S_SEGMENTS]) for row in step_rows}
        pairs |= {(row[F.U_CALENDAR], row[F.U_SEGMENTS]) for row in upstream_rows}
        keys = set().union(*(_step_keys(calendar_id, stored) for calendar_id, stored in pairs))
        for work in work_left.values():
            keys |= {key for key, _minutes in work}
        return keys

    def _calendars(self, keys, step_rows, link_rows, upstream_rows, now):
        """The working calendars of every step, over the span of their dates."""
        moments = [
            moment
            for row in step_rows
            for moment in (
                row[F.S_DEADLINE],
                row[F.S_START],
                row[F.S_DOCUMENT_DATE],
                row[F.S_REFERENCE],
                row[F.S_SET_START],
            )
            if moment
        ]
        moments += [moment for row in link_rows for moment in (row[F.L_DEADLINE], row[F.L_NEED]) if moment]
        moments += [row[F.U_DONE] for row in upstream_rows if row[F.U_DONE]]
        low = min(_ts(min(moments)), now) if moments else now
        high = max(_ts(max(moments)), now) if moments else now
        low, high = max(low, now - HORIZON), min(high, now + HORIZON)
        calendars = self.env["backward.planner"]._calendars(keys, low, high, 62, skip_invalid=True) if keys else {}
        if keys - set(calendars):
            _logger.warning(
                "Backward watch: %s working calendar(s) have no working time or were deleted; "
                "the steps planned on them are skipped until re-planned",
                len(keys - set(calendars)),
            )
        return calendars

    def _step_facts(self, reader, context, row, receipts, work_left):
        calendar, segments = context.step(row[F.S_CALENDAR], row[F.S_SEGMENTS])
        deadline, start = _ts(row[F.S_DEADLINE]), _ts(row[F.S_START])
        context.remember(row[F.S_ID], calendar, segments, start, deadline)
        state = reader._document_state(row, receipts)
        left = work_left.get(row[F.S_DOCUMENT]) if row[F.S_KIND] == "production" else None
        return engine.document_facts(
            row[F.S_KIND],
            state,
            calendar,
            engine.planned_segments(calendar, segments, start, deadline),
            deadline,
            start,
            done_at=_ts(reader._document_done(row, receipts)) if state == engine.DONE else None,
            document_date=_ts(row[F.S_DOCUMENT_DATE]),
            reference=_ts(row[F.S_REFERENCE]),
            ordered_at=_ts(row[F.S_ORDERED]),
            remaining=context.segments(remaining_segments(left)) if left is not None else None,
            components_waiting=row[F.S_RESERVATION] in ("confirmed", "waiting"),
            set_start=_ts(row[F.S_SET_START]),
        )

    @staticmethod
    def _step_changed(row, expected):
        return (
            row[F.S_STATE] != expected.state
            or _ts(row[F.S_EXPECTED]) != expected.expected
            or (expected.state == engine.DONE and _ts(row[F.S_DONE]) != expected.done_at)
            or bool(row[F.S_STARTED]) != expected.is_started
            or (row[F.S_ISSUE] or None) != expected.issue
        )

    def _link_facts(self, context, row, expectations, upstreams):
        up_id = row[F.L_UP]
        expected = expectations.get(up_id)
        up = upstreams.get(up_id)
        if expected is not None:
            calendar, segments, start_by, deadline = context.of_step(up_id)
        elif up is None:
            raise KeyError(up_id)  # evaluated, but its calendar could not be built
        else:
            calendar, segments = context.step(up[F.U_CALENDAR], up[F.U_SEGMENTS])
            start_by, deadline = _ts(up[F.U_START]), _ts(up[F.U_DEADLINE])
            expected = engine.Expectation(
                up[F.U_STATE], _ts(up[F.U_EXPECTED]), _ts(up[F.U_DONE]), bool(up[F.U_STARTED]), up[F.U_ISSUE] or None
            )
        down = expectations.get(row[F.L_DOWN])
        link_deadline = _ts(row[F.L_DEADLINE])
        start_needed = None
        if link_deadline is not None and not expected.is_started:
            segments = engine.planned_segments(calendar, segments, start_by, deadline)
            start_needed = engine.start_needed(segments, link_deadline)
        return engine.LinkFacts(
            calendar,
            link_deadline,
            _ts(row[F.L_NEED]),
            expected,
            start_needed=start_needed,
            projected=_ts(row[F.L_PROJECTED]),
            down_state=down.state if down is not None else row[F.L_DOWN_STATE],
            margin=(row[F.L_MARGIN] or 0.0) * 3600,
            order_late=row[F.L_ORDER_LATE],
        )

    @staticmethod
    def _link_changed(row, verdict):
        return (
            row[F.L_STATE] != verdict.state
            or _ts(row[F.L_EXPECTED]) != verdict.expected
            or round(row[F.L_DELAY] or 0.0, 2) != round(verdict.delay_hours, 2)
            or bool(row[F.L_ABSORBED]) != verdict.absorbed
            or bool(row[F.L_ENDANGERS]) != verdict.endangers
            or _ts(row[F.L_HANDOVER]) != verdict.handover
            or round(row[F.L_LATENESS] or 0.0, 2) != round(verdict.lateness_hours, 2)
        )


def _step_keys(calendar_id, stored):
    """The calendars a step counts on: its segments', else its own (see _Context.step)."""
    keys = {key for _kind, key, _hours in decode(json.loads(stored) if stored else ())}
    return keys or {(calendar_id, False)}


class _Context:
    """The calendars of a pass, and the core segments built from them (built once each)."""

    def __init__(self, calendars):
        self.calendars = calendars
        self._steps = {}
        self._of_step = {}

    def segments(self, segments):
        return core_segments(segments, self.calendars)

    def step(self, calendar_id, stored):
        """(calendar, core segments) of a step: its deadlines' calendar is its last segment's."""
        key = (calendar_id, stored)
        found = self._steps.get(key)
        if found is None:
            segments = decode(json.loads(stored) if stored else ())
            calendar_key = segments[-1][1] if segments else (calendar_id, False)
            found = self._steps[key] = (self.calendars[calendar_key], core_segments(segments, self.calendars))
        return found

    def remember(self, step_id, calendar, segments, start_by, deadline):
        self._of_step[step_id] = (calendar, segments, start_by, deadline)

    def of_step(self, step_id):
        """(calendar, segments, start by, deadline) of a step evaluated in this pass."""
        return self._of_step[step_id]
