"""The scheduled watch: links follow reality, owners are warned, delays explained.

One pass (``_cron_backward_watch``) does, in order:

1. ``_evaluate_deadlines``: one SQL statement reads every open step's document and
   writes its state, its expected finish and whether it started;
2. projections of the orders whose steps changed (a forward pass per order, in chunks);
3. ``_evaluate_links``: one SQL statement derives every open link's state (open, at
   risk, late, handed over on time or late), its expected handover and delay;
4. the owners are told of each link that changed state since they were last told
   (activities, notifications, the delay reason to give), and the managers of each
   order whose projected completion passes its promise.

Steps 1 and 3 are set-based whatever the number of links; steps 2 and 4 are bounded by
what changed, work in chunks and survive a bad record (logged, skipped). A second pass
with nothing changed creates nothing.
"""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL, format_datetime

_logger = logging.getLogger(__name__)

CHUNK = 100
# The watch's statements are cheap but their estimates are not: compiling them (JIT)
# costs seconds, more than running them. Off for the rest of the transaction.
NO_JIT = SQL("SET LOCAL jit = off")
# Key of the advisory lock that keeps two passes of the watch from running at once.
WATCH_LOCK = 0x4261636B
# A record whose alert failed is retried after this long, not in a loop.
RETRY_AFTER = timedelta(hours=1)
ALERT_STATES = ("at_risk", "late", "done_late")
ACTIVITY_TYPES = {
    "at_risk": "backward_management.mail_activity_type_handover_at_risk",
    "late": "backward_management.mail_activity_type_handover_late",
}


class BackwardWatch(models.AbstractModel):
    _name = "backward.watch"
    _description = "Backward Management Watch"

    # ------------------------------------------------------------------- the cron

    @api.model
    def _cron_backward_watch(self):
        """Re-evaluate links and projections, warn people; in chunks, idempotent.

        Two passes at once would warn twice: the second finds the lock taken and leaves.
        """
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", WATCH_LOCK))
        if not self.env.cr.fetchone()[0]:
            _logger.info("Backward watch: another pass is running, this one stops")
            return 0
        changed = self._evaluate_deadlines()
        self._mark_projections(changed)
        done = self._project_pending(CHUNK)
        self._evaluate_links()
        done += self._alert_pending(CHUNK)
        done += self._escalate_pending(CHUNK)
        remaining = self._count_pending()
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return remaining

    # ------------------------------------------------------------- set-based steps

    def _evaluate_deadlines_query(self, deadline_ids=None):
        """Each open step's state and expectation, from its document (one statement)."""
        scope = SQL("d.id = ANY(%s)", list(deadline_ids)) if deadline_ids is not None else SQL("TRUE")
        return SQL(
            """
            WITH doc AS (
                SELECT d.id, d.date_expected AS old_expected,
                       d.date_deadline, d.date_start_deadline,
                       CASE
                         WHEN d.kind = 'customer' THEN d.state
                         WHEN d.production_id IS NULL AND d.picking_id IS NULL
                              AND d.purchase_line_id IS NULL THEN 'cancel'
                         WHEN d.kind = 'production' THEN
                           CASE production.state
                             WHEN 'done' THEN 'done' WHEN 'cancel' THEN 'cancel'
                             WHEN 'progress' THEN 'in_progress' WHEN 'to_close' THEN 'in_progress'
                             ELSE 'planned' END
                         WHEN d.kind = 'purchase' THEN
                           CASE
                             WHEN purchase.state = 'cancel' OR line.state = 'cancel' THEN 'cancel'
                             WHEN line.product_qty > 0 AND line.qty_received >= line.product_qty THEN 'done'
                             WHEN purchase.state IN ('purchase', 'done') THEN 'in_progress'
                             ELSE 'planned' END
                         ELSE
                           CASE picking.state WHEN 'done' THEN 'done' WHEN 'cancel' THEN 'cancel'
                             ELSE 'planned' END
                       END AS new_state,
                       CASE
                         WHEN d.kind = 'production' THEN production.date_finished
                         -- read only for the lines received in full: a lookup per open line
                         -- would cost a pass over many links more than everything else
                         WHEN d.kind = 'purchase' AND line.product_qty > 0
                              AND line.qty_received >= line.product_qty THEN (
                              SELECT max(move.date) FROM stock_move move
                               WHERE move.purchase_line_id = line.id AND move.state = 'done')
                         ELSE picking.date_done
                       END AS doc_done,
                       CASE
                         -- Odoo's own schedules carry no buffer: only how far they moved since
                         -- the step was planned counts (a vendor's new date, a rescheduled MO)
                         WHEN d.kind = 'purchase' AND purchase.state IN ('purchase', 'done') THEN
                              CASE WHEN line.date_planned IS NOT NULL THEN GREATEST(
                                   line.date_planned + (d.date_document_reference - d.date_document_planned),
                                   COALESCE(purchase.date_approve, purchase.date_order)) END
                         WHEN d.kind = 'production' THEN
                              production.date_finished + (d.date_document_reference - d.date_document_planned)
                         WHEN d.kind IN ('delivery', 'transfer', 'receipt') THEN
                              picking.scheduled_date + (d.date_document_reference - d.date_document_planned)
                       END AS doc_expected,
                       CASE WHEN d.kind = 'production' AND production.state IN ('progress', 'to_close') THEN (
                            SELECT COALESCE(SUM(GREATEST(workorder.duration_expected - workorder.duration, 0)), 0)
                              FROM mrp_workorder workorder
                             WHERE workorder.production_id = production.id
                               AND workorder.state NOT IN ('done', 'cancel'))
                       END AS remaining_minutes,
                       CASE
                         WHEN d.kind = 'production' AND production.state IN ('draft', 'confirmed')
                              AND production.reservation_state IN ('confirmed', 'waiting')
                              AND %(now)s > d.date_start_deadline - interval '1 day'
                              THEN 'components_missing'
                         WHEN d.kind = 'purchase' AND purchase.state IN ('purchase', 'done')
                              AND line.date_planned IS NULL THEN 'no_expected_date'
                         WHEN d.kind = 'purchase' AND purchase.state IN ('purchase', 'done')
                              AND line.date_planned < COALESCE(purchase.date_approve, purchase.date_order)
                              THEN 'vendor_before_order'
                       END AS issue
                  FROM backward_deadline d
                  LEFT JOIN mrp_production production ON production.id = d.production_id
                  LEFT JOIN purchase_order_line line ON line.id = d.purchase_line_id
                  LEFT JOIN purchase_order purchase ON purchase.id = line.order_id
                  LEFT JOIN stock_picking picking ON picking.id = d.picking_id
                 WHERE d.state != 'cancel' AND %(scope)s
            ), reality AS (
                SELECT doc.*,
                       CASE
                         WHEN new_state = 'done' THEN doc_done
                         WHEN new_state = 'cancel' THEN NULL
                         -- started: its own schedule, but not before the work left is done
                         WHEN new_state = 'in_progress' THEN
                              CASE WHEN doc_expected IS NULL THEN NULL
                                   ELSE GREATEST(doc_expected, %(now)s
                                        + COALESCE(remaining_minutes, 0) * interval '1 minute') END
                         -- not started after its start-by: expected when started within the
                         -- hour; to the hour, so that the watch does not rewrite it every pass
                         ELSE GREATEST(
                              doc_expected,
                              CASE WHEN %(now)s > date_start_deadline
                                   THEN date_trunc('hour', %(now)s) + interval '1 hour'
                                        + (date_deadline - date_start_deadline) END)
                       END AS expected
                  FROM doc
            ), changed AS (
                SELECT reality.* FROM reality JOIN backward_deadline d ON d.id = reality.id
                 WHERE d.state IS DISTINCT FROM reality.new_state
                    OR d.date_expected IS DISTINCT FROM reality.expected
                    OR d.expectation_issue IS DISTINCT FROM reality.issue
                    OR (reality.new_state = 'done' AND d.date_done IS DISTINCT FROM reality.doc_done)
            ), locked AS (
                -- a step a user is changing right now is judged at the next pass
                SELECT d.id FROM backward_deadline d JOIN changed ON changed.id = d.id
                   FOR NO KEY UPDATE OF d SKIP LOCKED
            )
            UPDATE backward_deadline d
               SET state = changed.new_state,
                   date_done = CASE WHEN changed.new_state = 'done' THEN changed.doc_done ELSE d.date_done END,
                   date_expected = changed.expected,
                   is_started = changed.new_state IN ('in_progress', 'done'),
                   expectation_issue = changed.issue
              FROM changed JOIN locked ON locked.id = changed.id
             WHERE d.id = changed.id
            RETURNING d.id, changed.old_expected, d.date_expected, d.state,
                      changed.doc_expected IS NOT DISTINCT FROM changed.expected AS from_document
            """,
            scope=scope,
            now=fields.Datetime.now(),
        )

    @api.model
    def _evaluate_deadlines(self, deadline_ids=None):
        """Write each open step's reality; return the rows that changed."""
        self.env.flush_all()
        self.env.cr.execute(SQL("%s; %s", NO_JIT, self._evaluate_deadlines_query(deadline_ids)))
        rows = self.env.cr.dictfetchall()
        if rows:
            self.env["backward.deadline"].invalidate_model(
                ["state", "date_done", "date_expected", "is_started", "expectation_issue"]
            )
            self._record_repromises(rows)
        return rows

    def _mark_projections(self, changed_rows):
        """The orders served by a step whose reality changed must be projected again."""
        if not changed_rows:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE sale_order SET backward_projection_pending = TRUE
                 WHERE state = 'sale' AND backward_projection_pending IS NOT TRUE AND id IN (
                       SELECT order_id FROM backward_deadline_sale_order_rel
                        WHERE deadline_id = ANY(%s))
                """,
                [row["id"] for row in changed_rows],
            )
        )
        self.env["sale.order"].invalidate_model(["backward_projection_pending"])

    def _evaluate_links_query(self, link_ids=None):
        """Every open link's state, expected handover and delay, from its steps."""
        scope = (
            SQL("l.id = ANY(%s)", list(link_ids))
            if link_ids is not None
            else SQL(
                "(l.state IN ('open', 'at_risk', 'late') OR up.state IN ('done', 'cancel') OR down.state = 'cancel')"
            )
        )
        return SQL(
            """
            WITH facts AS (
                SELECT l.id, l.state AS old_state, l.date_deadline, l.date_need,
                       up.state AS up_state, down.state AS down_state, up.date_done,
                       up.expectation_issue,
                       up.is_started,
                       -- the start this handover needs: a step shared with a more urgent
                       -- order must start earlier for that one, not for this link
                       l.date_deadline - (up.date_deadline - up.date_start_deadline) AS date_start_needed,
                       GREATEST(up.date_expected, up.date_projected) AS expected,
                       company.backward_warning_margin_hours * interval '1 hour' AS margin,
                       COALESCE(sale.backward_projected_late, FALSE) AS order_late
                  FROM backward_link l
                  JOIN backward_deadline up ON up.id = l.upstream_id
                  JOIN backward_deadline down ON down.id = l.downstream_id
                  JOIN res_company company ON company.id = l.company_id
                  LEFT JOIN sale_order sale ON sale.id = l.sale_order_id
                 WHERE l.state != 'cancel' AND %(scope)s
            ), judged AS (
                SELECT facts.*,
                       CASE
                         WHEN up_state = 'cancel' OR down_state = 'cancel' THEN 'cancel'
                         WHEN up_state = 'done' THEN
                              CASE WHEN date_done > date_deadline THEN 'done_late' ELSE 'done' END
                         WHEN date_deadline IS NULL THEN 'open'
                         WHEN %(now)s > date_deadline THEN 'late'
                         WHEN expected > date_deadline - margin THEN 'at_risk'
                         WHEN NOT is_started AND %(now)s > date_start_needed THEN 'at_risk'
                         WHEN expectation_issue = 'components_missing' THEN 'at_risk'
                         WHEN NOT is_started AND %(now)s > date_deadline - margin THEN 'at_risk'
                         ELSE 'open'
                       END AS new_state
                  FROM facts
            ), verdict AS (
                SELECT judged.id, judged.old_state, judged.new_state, judged.expected,
                       COALESCE(EXTRACT(EPOCH FROM judged.expected - judged.date_deadline) / 3600.0, 0) AS delay,
                       COALESCE(judged.expected > judged.date_deadline
                                AND judged.expected <= judged.date_need, FALSE) AS absorbed,
                       judged.new_state IN ('at_risk', 'late') AND judged.order_late
                           AND NOT COALESCE(judged.expected <= judged.date_need, FALSE) AS endangers,
                       CASE WHEN judged.up_state = 'done' THEN judged.date_done END AS handover,
                       CASE WHEN judged.new_state IN ('late', 'done_late') THEN GREATEST(0, EXTRACT(EPOCH FROM
                            COALESCE(judged.date_done, %(now)s) - judged.date_deadline) / 3600.0)
                            ELSE 0 END AS lateness
                  FROM judged
            ), changed AS (
                SELECT verdict.* FROM verdict JOIN backward_link l ON l.id = verdict.id
                 WHERE l.state IS DISTINCT FROM verdict.new_state
                    OR l.date_expected IS DISTINCT FROM verdict.expected
                    OR l.endangers_promise IS DISTINCT FROM verdict.endangers
                    OR l.is_absorbed IS DISTINCT FROM verdict.absorbed
                    OR round(l.lateness_hours::numeric, 2) IS DISTINCT FROM round(verdict.lateness::numeric, 2)
            ), locked AS (
                -- a link being written by a user's re-planning is judged at the next pass
                SELECT l.id FROM backward_link l JOIN changed ON changed.id = l.id
                   FOR NO KEY UPDATE OF l SKIP LOCKED
            )
            UPDATE backward_link l
               SET state = changed.new_state,
                   date_expected = changed.expected,
                   delay_hours = changed.delay,
                   is_absorbed = changed.absorbed,
                   endangers_promise = changed.endangers,
                   date_handover = changed.handover,
                   lateness_hours = changed.lateness,
                   is_on_time = changed.new_state = 'done',
                   on_time_rate = CASE changed.new_state WHEN 'done' THEN 100.0 WHEN 'done_late' THEN 0.0 END
              FROM changed JOIN locked ON locked.id = changed.id
             WHERE l.id = changed.id
            RETURNING l.id, changed.old_state, l.state
            """,
            scope=scope,
            now=fields.Datetime.now(),
        )

    @api.model
    def _evaluate_links(self, link_ids=None):
        """Write every open link's state; return the rows that changed."""
        self.env.flush_all()
        self.env.cr.execute(SQL("%s; %s", NO_JIT, self._evaluate_links_query(link_ids)))
        rows = self.env.cr.dictfetchall()
        if rows:
            self.env["backward.link"].invalidate_model(
                [
                    "state",
                    "date_expected",
                    "delay_hours",
                    "is_absorbed",
                    "endangers_promise",
                    "date_handover",
                    "lateness_hours",
                    "is_on_time",
                    "on_time_rate",
                ]
            )
        return rows

    # ------------------------------------------------------------ bounded steps

    def _pending_links(self, limit=None):
        """Links whose owners have not been told of their state yet (one query)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM backward_link
                 WHERE state != COALESCE(notified_state, 'open')
                   AND (alert_error_date IS NULL OR alert_error_date < %(retry)s)
                 ORDER BY id
                 LIMIT %(limit)s
                """,
                retry=fields.Datetime.now() - RETRY_AFTER,
                limit=limit,
            )
        )
        return self.env["backward.link"].sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _pending_orders(self, field, limit=None):
        if field == "projection":
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
                SELECT (SELECT count(*) FROM backward_link
                         WHERE state != COALESCE(notified_state, 'open')
                           AND (alert_error_date IS NULL OR alert_error_date < %(retry)s))
                     + (SELECT count(*) FROM sale_order
                         WHERE state = 'sale' AND (backward_projection_pending
                               OR COALESCE(backward_projected_late, FALSE) != COALESCE(backward_escalated, FALSE)))
                """,
                retry=fields.Datetime.now() - RETRY_AFTER,
            )
        )
        return self.env.cr.fetchone()[0]

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

    def _project_pending(self, limit):
        planner = self.env["backward.planner"]
        orders = self._pending_orders("projection", limit=limit)
        return self._each(orders, planner._project_sale_orders, "project")

    def _alert_pending(self, limit):
        return self._each(self._pending_links(limit), self._alert_link, "alert the owners of")

    def _escalate_pending(self, limit):
        return self._each(self._pending_orders("escalation", limit=limit), self._escalate_order, "escalate")

    # ------------------------------------------------------------------ telling

    def _alert_link(self, link):
        """Tell the owners of ``link`` about its new state, once."""
        state = link.state
        previous = link.notified_state or "open"
        if link.activity_id and state != previous:
            link.activity_id.action_feedback(
                feedback=_("The handover is now %(state)s.", state=self._state_label(link, state))
            )
        if state in ACTIVITY_TYPES:
            link.activity_id = self._schedule(link, ACTIVITY_TYPES[state], self._alert_note(link))
        if state in ("at_risk", "late", "done_late") or (previous in ("at_risk", "late") and state in ("open", "done")):
            self._notify_downstream(link, state)
        if state in ("late", "done_late"):
            link._backward_set_cause()
        if state == "done_late" and not link.reason_id:
            self._ask_reason(link)
        if state == "done_late" and link.company_id.backward_review_auto and not link.review_ids:
            self._open_review(link)
        elif state == "done_late" and link.downstream_user_id and not link.review_ids:
            # the downstream side may review it: one click from this activity to the link
            link.activity_schedule(
                "backward_management.mail_activity_type_review_late",
                user_id=link.downstream_user_id.id,
                note=_("%(link)s was handed over late: review it from the link if it calls for it.", link=link.name),
            )
        link.write({"notified_state": state, "alert_error_date": False})

    def _document(self, deadline):
        """The record the activity goes on: the purchase order, MO or transfer."""
        if deadline.kind == "customer":
            return deadline.sale_order_id
        return deadline.purchase_id or deadline.production_id or deadline.picking_id

    def _owner(self, link, document):
        """Who answers for the upstream: its owner, else its team's manager, else whoever
        created the document, else the downstream owner (someone must know)."""
        candidates = (
            link.upstream_user_id,
            link.upstream_team_id.manager_id,
            document.create_uid,
            link.downstream_user_id,
            link.sale_order_id.user_id,
        )
        for user in candidates:
            if user and user.active and not user.share and not user._is_superuser():
                return user
        return self.env["res.users"]

    def _schedule(self, link, activity_xmlid, note):
        document = self._document(link.upstream_id)
        if not document:
            return False
        user = self._owner(link, document)
        if not user:
            _logger.warning("Backward watch: nobody answers for %s, no activity scheduled", link.name)
            return False
        return document.sudo().activity_schedule(
            activity_xmlid,
            date_deadline=fields.Date.context_today(self, link.date_deadline) if link.date_deadline else None,
            note=note,
            user_id=user.id,
        )

    def _open_review(self, link):
        """Open a draft review for the downstream owner, penalties proposed by the policy."""
        review = self.env["backward.review"].sudo().create({"link_id": link.id})
        review.action_propose_penalties()
        reviewer = link.downstream_user_id or link.downstream_team_id.manager_id
        if reviewer:
            review.activity_schedule(
                "backward_management.mail_activity_type_review_late",
                user_id=reviewer.id,
                note=_("%(link)s was handed over late: review it and propose a penalty, or drop it.", link=link.name),
            )
        return review

    def _ask_reason(self, link):
        note = _(
            '%(link)s was handed over %(hours)s hours late: give the reason from the link ("Give the Reason").',
            link=link.name,
            hours=round(link.lateness_hours, 1),
        )
        self._schedule(link, "backward_management.mail_activity_type_delay_reason", note)

    def _alert_note(self, link):
        """What the upstream owner reads: which downstream deadline and customer are at stake."""
        order = link.sale_order_id
        values = {
            "upstream": link.upstream_id.name,
            "deadline": self._format(link.date_deadline),
            "expected": self._format(link.date_expected) if link.date_expected else _("unknown"),
            "downstream": link.downstream_id.name,
            "start": self._format(link.date_need),
            "order": order.name or "",
            "customer": order.partner_id.display_name or "",
            "promise": self._format(order.commitment_date or order.expected_date),
        }
        return Markup("<p>%s</p>") % _(
            "%(upstream)s must hand over by %(deadline)s (expected %(expected)s) to %(downstream)s, "
            "which must start by %(start)s for %(order)s (%(customer)s, delivery %(promise)s).",
            **values,
        )

    def _notify_downstream(self, link, state):
        user = link.downstream_user_id
        if not user or user == link.upstream_user_id:
            return
        link.sudo().message_notify(
            partner_ids=user.partner_id.ids,
            subject=_("%(link)s: %(state)s", link=link.name, state=self._state_label(link, state)),
            body=self._alert_note(link),
            subtype_xmlid="mail.mt_note",
        )

    def _escalate_order(self, order):
        """Warn the salesperson and the team managers once the projection passes the promise."""
        activity_type = self.env.ref("backward_management.mail_activity_type_delivery_at_risk")
        if order.backward_projected_late:
            late_links = order.backward_link_ids.filtered(lambda link: link.state in ("at_risk", "late"))
            managers = (late_links.upstream_team_id.manager_id | late_links.downstream_team_id.manager_id).filtered(
                "active"
            )
            body = _(
                "%(order)s is projected to be delivered on %(projected)s, "
                "%(hours)s hours after the promised %(promise)s.",
                order=order.name,
                projected=self._format(order.backward_projected_date),
                hours=round(order.backward_projected_delay_hours, 1),
                promise=self._format(order.commitment_date or order.expected_date),
            )
            salesperson = order.user_id.filtered(lambda user: user.active and not user._is_superuser())
            if salesperson:
                order.activity_schedule(
                    "backward_management.mail_activity_type_delivery_at_risk", note=body, user_id=salesperson.id
                )
            partners = (managers | salesperson).partner_id
            if partners:
                order.message_notify(
                    partner_ids=partners.ids,
                    subject=_("Delivery at risk: %(order)s", order=order.name),
                    body=body,
                )
            order._backward_write({"backward_escalated": True})
        else:
            order.activity_ids.filtered(lambda activity: activity.activity_type_id == activity_type).action_feedback(
                feedback=_("The projected completion is back within the promise.")
            )
            order._backward_write({"backward_escalated": False})

    def _record_repromises(self, rows):
        """An expectation moved past the slack of a link: record it and tell the downstream owner.

        The links concerned are found in one query; the work is bounded by them.
        """
        # a re-promise is the document's own new date, not the drift of a step not started
        later = [
            row
            for row in rows
            if row["from_document"]
            and row["date_expected"]
            and (not row["old_expected"] or row["date_expected"] > row["old_expected"])
        ]
        if not later:
            return
        self.env.cr.execute(
            SQL(
                """
                SELECT link.id, moved.old_expected, moved.new_expected
                  FROM backward_link link
                  JOIN unnest(%(ids)s::int4[], %(olds)s::timestamp[], %(news)s::timestamp[])
                       AS moved(deadline_id, old_expected, new_expected)
                    ON moved.deadline_id = link.upstream_id
                 WHERE link.state NOT IN ('cancel', 'done', 'done_late')
                   AND moved.new_expected > link.date_need
                   AND (moved.old_expected IS NULL OR moved.old_expected <= link.date_need)
                """,
                ids=[row["id"] for row in later],
                olds=[row["old_expected"] for row in later],
                news=[row["date_expected"] for row in later],
            )
        )
        moves = {link_id: (old, new) for link_id, old, new in self.env.cr.fetchall()}
        for link in self.env["backward.link"].sudo().browse(list(moves)):
            old, new = moves[link.id]
            self.env["backward.repromise"].sudo().create(
                {
                    "link_id": link.id,
                    "date_deadline": link.date_deadline,
                    "date_need": link.date_need,
                    "date_old": old,
                    "date_new": new,
                    "delay_hours": round((new - link.date_deadline).total_seconds() / 3600.0, 2),
                }
            )
            link.message_post(
                body=_(
                    "Re-promised past the slack: %(new)s instead of %(old)s, needed by %(need)s.",
                    new=self._format(new),
                    old=self._format(old) if old else _("no date"),
                    need=self._format(link.date_need),
                ),
                partner_ids=link.downstream_user_id.partner_id.ids,
            )
            if not link.reason_id:
                self._ask_reason(link)

    # --------------------------------------------------------------------- helpers

    def _format(self, moment):
        if not moment:
            return _("no date")
        return format_datetime(self.env, moment, tz=self.env.user.tz or "UTC", dt_format="short")

    @staticmethod
    def _state_label(link, state):
        return dict(link._fields["state"]._description_selection(link.env)).get(state, state)
