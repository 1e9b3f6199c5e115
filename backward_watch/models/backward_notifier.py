"""Tell people about links and orders: activities, notifications, reasons, escalations, re-promises.

Activities are created once per threat, updated when the expectation moves, marked done
when the link recovers or is handed over; a delay reason is asked once, as soon as the
deadline passes. Each message meant for one person is written in their language and
timezone (``_reader``, from the plan's notifier).
"""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

THREATS = ("at_risk", "late")
# Links ``_alert_link`` would only record as told: never threatened, not late, no activity
# to close, no re-promise to settle (most often a link cancelled when its purchase was
# confirmed). A factory has thousands after its first day: they are recorded together.
QUIET = """
    state NOT IN ('at_risk', 'late', 'done_late')
    AND COALESCE(notified_state, 'open') NOT IN ('at_risk', 'late')
    AND activity_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM backward_repromise repromise WHERE repromise.link_id = backward_link.id)
"""
ACTIVITY_TYPES = {
    "at_risk": "backward_watch.mail_activity_type_handover_at_risk",
    "late": "backward_watch.mail_activity_type_handover_late",
}


class BackwardNotifier(models.AbstractModel):
    _inherit = "backward.notifier"

    @api.model
    def _state_label(self, link, state):
        return dict(link._fields["state"]._description_selection(self.env)).get(state, state)

    # ----------------------------------------------------------------- the links

    @api.model
    def _owner(self, link, document):
        """Who answers for the upstream: its owner, else its team's manager, else whoever
        created the document, else the downstream owner (someone must know)."""
        candidates = (
            link.upstream_user_id,
            link.upstream_team_id.manager_id,
            document.create_uid if document else self.env["res.users"],
            link.downstream_user_id,
            link.sale_order_id.user_id,
        )
        for user in candidates:
            if user and user.active and not user.share and not user._is_superuser():
                return user
        return self.env["res.users"]

    @api.model
    def _alert_link(self, link):
        """Tell the owners of ``link`` what changed since they were last told, once."""
        state = link.state
        previous = link.notified_state or "open"
        document = link.upstream_id._document()
        owner = self._reader(self._owner(link, document))
        if state in THREATS:
            if link.activity_id and state != previous:
                link.activity_id.action_feedback(
                    feedback=self.env._("The handover is now %(state)s.", state=self._state_label(link, state))
                )
            if link.activity_id.exists() and state == previous:
                # the same threat, a new expectation: the owner reads today's numbers
                link.activity_id.write({"note": owner._alert_note(link)})
            else:
                link.activity_id = self._schedule(link, document, ACTIVITY_TYPES[state], "_alert_note")
            if state != previous:
                self._notify_downstream(link, state)
        else:
            if link.activity_id:
                link.activity_id.action_feedback(feedback=self._recovery_feedback(link, state))
            if previous in THREATS or state == "done_late":
                self._notify_downstream(link, state)
        if state in ("late", "done_late"):
            link._backward_set_cause()
            if not link.reason_id:
                self._ask_reason(link, document)
        if state == "done_late":
            self._handed_over_late(link)
        if state in ("done", "done_late", "cancel") and link.repromise_ids:
            # handed over (or cancelled) before anyone decided or settled: nothing is left to agree
            waiting = link.repromise_ids.filtered(lambda repromise: repromise.state in ("pending", "refused"))
            if waiting:
                waiting.write({"state": "superseded"})
                waiting._close_consent(self._recovery_feedback(link, state))
            if link.repromise_pending:
                link.write({"repromise_pending": False})
        link.write({"notified_state": state, "notified_expected": link.date_expected, "alert_error_date": False})

    @api.model
    def _record_told(self, links):
        """Record ``links`` (all ``QUIET``) as told: nobody has anything to hear of them."""
        told = {
            link.id: {"notified_state": link.state, "notified_expected": link.date_expected, "alert_error_date": False}
            for link in links
        }
        self.env["backward.bulk.writer"]._bulk_update(
            links, told, ("notified_state", "notified_expected", "alert_error_date")
        )

    def _recovery_feedback(self, link, state):
        if state == "absorbed":
            return self.env._("Back within the slack: the buffer absorbs the delay.")
        if state in ("done", "done_late"):
            return self.env._("Handed over on %(date)s.", date=self._format(link.date_handover))
        if state == "cancel":
            return self.env._("The handover was cancelled.")
        return self.env._("Back on plan.")

    def _schedule(self, link, document, activity_xmlid, note):
        """An activity for the upstream owner; the notifier's method ``note`` writes it for them."""
        if not document:
            return False
        user = self._owner(link, document)
        if not user:
            _logger.warning("Backward watch: nobody answers for %s, no activity scheduled", link.name)
            return False
        reader = self._reader(user)
        due = fields.Date.context_today(reader, link.date_deadline) if link.date_deadline else None
        return document.activity_schedule(
            activity_xmlid,
            date_deadline=due,
            note=getattr(reader, note)(link),
            user_id=user.id,
        )

    def _ask_reason(self, link, document=None):
        """Ask the upstream owner why, once per link (until the reason is given)."""
        if link.reason_activity_id.exists():
            return
        document = document if document is not None else link.upstream_id._document()
        link.reason_activity_id = self._schedule(
            link, document, "backward_watch.mail_activity_type_delay_reason", "_reason_note"
        )

    def _reason_note(self, link):
        if link.state == "done_late":
            note = self.env._(
                '%(link)s was handed over %(hours)s hours late: give the reason from the link ("Give the Reason").',
                link=link.name,
                hours=round(link.lateness_hours, 1),
            )
        else:
            note = self.env._(
                '%(link)s is past its deadline of %(deadline)s: give the reason from the link ("Give the Reason").',
                link=link.name,
                deadline=self._format(link.date_deadline),
            )
        return note

    def _handed_over_late(self, link):
        """``link`` was just handed over late (hook: the review layer offers a review)."""

    def _alert_note(self, link):
        """What the upstream owner reads: which downstream deadline and customer are at stake."""
        stake = link._backward_stake()
        order = link.sale_order_id
        values = {
            "upstream": link.upstream_id.name,
            "deadline": self._format(link.date_deadline),
            "expected": self._format(link.date_expected) if link.date_expected else self.env._("unknown"),
            "downstream": stake.name,
            "start": self._format(stake.date_start_deadline),
            "order": order.name or "",
            "customer": order.partner_id.display_name or "",
            "promise": self._format(order.commitment_date or order.expected_date),
        }
        return Markup("<p>%s</p>") % self.env._(
            "%(upstream)s must hand over by %(deadline)s (expected %(expected)s) for %(downstream)s, "
            "which must start by %(start)s for %(order)s (%(customer)s, delivery %(promise)s).",
            **values,
        )

    def _notify_downstream(self, link, state):
        user = link.downstream_user_id
        if not user or user == link.upstream_user_id:
            return
        reader = self._reader(user)
        link.message_notify(
            partner_ids=user.partner_id.ids,
            subject=reader.env._("%(link)s: %(state)s", link=link.name, state=reader._state_label(link, state)),
            body=reader._alert_note(link),
            subtype_xmlid="mail.mt_note",
        )

    # ----------------------------------------------------------------- the orders

    @api.model
    def _escalate_order(self, order):
        """Warn the salesperson and the team managers once the projection passes the promise."""
        activity_type = self.env.ref("backward_watch.mail_activity_type_delivery_at_risk")
        if order.backward_projected_late:
            late_links = order.backward_link_ids.filtered(lambda link: link.state in THREATS)
            managers = (late_links.upstream_team_id.manager_id | late_links.downstream_team_id.manager_id).filtered(
                "active"
            )
            salesperson = order.user_id.filtered(lambda user: user.active and not user._is_superuser())
            reader = self._reader(salesperson)
            body = reader.env._(
                "%(order)s is projected to be delivered on %(projected)s, "
                "%(hours)s hours after the promised %(promise)s.",
                order=order.name,
                projected=reader._format(order.backward_projected_date),
                hours=round(order.backward_projected_delay_hours, 1),
                promise=reader._format(order.commitment_date or order.expected_date),
            )
            if salesperson:
                order.activity_schedule(
                    "backward_watch.mail_activity_type_delivery_at_risk", note=body, user_id=salesperson.id
                )
            partners = (managers | salesperson).partner_id
            if partners:
                order.message_notify(
                    partner_ids=partners.ids,
                    subject=reader.env._("Delivery at risk: %(order)s", order=order.name),
                    body=body,
                )
            order._backward_write({"backward_escalated": True})
        else:
            order.activity_ids.filtered(lambda activity: activity.activity_type_id == activity_type).action_feedback(
                feedback=self.env._("The projected completion is back within the promise.")
            )
            order._backward_write({"backward_escalated": False})

    # ------------------------------------------------------------- the re-promises

    @api.model
    def _record_repromises(self, moves):
        """Expectations moved past the deadline of links they owe: record each once.

        ``moves``: ``{link: (old expected, new expected, working hours past the deadline)}``.
        Within the slack: accepted at once, recorded. Past it: the downstream owner is
        asked to accept or refuse, with the effect on their step and on the customer; an
        older request of the same link still waiting is superseded.
        """
        Repromise = self.env["backward.repromise"]
        for link, (old, new, hours) in moves.items():
            waiting = link.repromise_ids.filtered(lambda repromise: repromise.state in ("pending", "refused"))
            if waiting:
                waiting.write({"state": "superseded"})
                waiting._close_consent(self.env._("A later re-promise replaced this one."))
                link.write({"repromise_pending": False})
            absorbed = bool(link.date_need) and new <= link.date_need
            repromise = Repromise.create(
                {
                    "link_id": link.id,
                    "date_deadline": link.date_deadline,
                    "date_need": link.date_need,
                    "date_old": old,
                    "date_new": new,
                    "delay_hours": round(hours, 2),
                    "state": "absorbed" if absorbed else "pending",
                    "decided_on": fields.Datetime.now() if absorbed else False,
                }
            )
            if absorbed:
                link.message_post(
                    body=self.env._(
                        "Re-promised within the slack: %(new)s instead of %(old)s, needed by %(need)s. "
                        "Accepted without asking: the slack absorbs it.",
                        new=self._format(new),
                        old=self._format(old),
                        need=self._format(link.date_need),
                    )
                )
                continue
            repromise._compute_effect()
            link.write({"repromise_pending": True})
            self._ask_consent(link, repromise)
            if not link.reason_id:
                self._ask_reason(link)

    def _ask_consent(self, link, repromise):
        """The downstream owner (else their team manager, else a backward manager) accepts or refuses."""
        decider = repromise._consent_user()
        # due by the activity's own delay; escalated after it, whether anyone was asked or not
        delay = self.env.ref("backward_watch.mail_activity_type_repromise_consent").delay_count or 1
        repromise.write({"date_consent_due": fields.Date.context_today(self) + timedelta(days=delay)})
        reader = self._reader(decider)
        body = reader.env._(
            "Re-promised past the slack: %(new)s instead of %(old)s, needed by %(need)s.",
            new=reader._format(repromise.date_new),
            old=reader._format(repromise.date_old),
            need=reader._format(link.date_need),
        )
        link.message_post(body=body, partner_ids=link.downstream_user_id.partner_id.ids)
        if not decider:
            return
        effect = reader._repromise_effect(repromise)
        repromise.activity_schedule(
            "backward_watch.mail_activity_type_repromise_consent",
            user_id=decider.id,
            note=Markup("<p>%s</p><p>%s</p>") % (body, effect),
        )

    def _repromise_effect(self, repromise):
        """The effect of accepting, in the reader's words."""
        link = repromise.link_id
        parts = []
        if repromise.effect_start:
            parts.append(
                self.env._(
                    "Accepted, %(step)s would start by %(start)s and finish by %(finish)s (planned: %(deadline)s).",
                    step=link.downstream_ref,
                    start=self._format(repromise.effect_start),
                    finish=self._format(repromise.effect_finish),
                    deadline=self._format(link.downstream_id.date_deadline),
                )
            )
        if repromise.effect_delivery and repromise.effect_customer_hours:
            parts.append(
                self.env._(
                    "The customer would be served on %(date)s, %(hours)s hours after the promise.",
                    date=self._format(repromise.effect_delivery),
                    hours=repromise.effect_customer_hours,
                )
            )
        elif repromise.effect_feasible:
            parts.append(self.env._("The customer's promise would still be kept."))
        elif repromise.effect_delivery:
            parts.append(
                self.env._("The customer would be served in time, but a step of the order is past its start by.")
            )
        return " ".join(parts)
