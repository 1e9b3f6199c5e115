"""Tell people: the chatter of documents, activities for owners, notifications, re-promises.

One date formatter for every message: a message meant for one person (an activity, a
notification) is written in that person's language and timezone, whoever runs the watch;
a message in a document's chatter in the acting user's. Activities are created
once per threat, updated when the expectation moves, marked done when the link recovers
or is handed over; a delay reason is asked once, as soon as the deadline passes.

The notifier is a service: the watch (a scheduled action, as superuser) and the planner
(once its entry point elevated) call it, so it writes the documents' chatter and
activities without elevating again. Only its formatting helpers serve user actions.
"""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_datetime

from ..scheduling.chain import PURCHASE_LINE

_logger = logging.getLogger(__name__)

THREATS = ("at_risk", "late")
ACTIVITY_TYPES = {
    "at_risk": "backward_management.mail_activity_type_handover_at_risk",
    "late": "backward_management.mail_activity_type_handover_late",
}


class BackwardNotifier(models.AbstractModel):
    _name = "backward.notifier"
    _description = "Backward Management Notifications"

    @api.model
    def _format(self, moment):
        """A date as its reader reads it: short, in their timezone (see :meth:`_reader`)."""
        if not moment:
            return self.env._("no date")
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        return format_datetime(self.env, moment, tz=tz, dt_format="short")

    @api.model
    def _reader(self, user):
        """This notifier writing for ``user``: their language, their timezone, their today."""
        if not user:
            return self
        return self.with_context(lang=user.lang or self.env.lang, tz=user.tz or self.env.context.get("tz"))

    @api.model
    def _state_label(self, link, state):
        return dict(link._fields["state"]._description_selection(self.env)).get(state, state)

    # ------------------------------------------------------------------- the plan

    @api.model
    def _tell_plan_changes(self, chain, changes, deadline_vals, reason):
        """Tell each document whose deadlines moved, one message per document."""
        lines = defaultdict(list)
        for key, (old_deadline, old_start) in changes.items():
            step = chain.steps[key]
            vals = deadline_vals[key]
            if step.model == PURCHASE_LINE:
                model, res_id = "purchase.order", step.purchase_id
            else:
                model, res_id = step.model, step.res_id
            lines[(model, res_id)].append(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(step)s: deadline %(new)s (was %(old)s), start by %(new_start)s (was %(old_start)s)",
                    step=step.name,
                    new=self._format(vals["date_deadline"]),
                    old=self._format(old_deadline),
                    new_start=self._format(vals["date_start_deadline"]),
                    old_start=self._format(old_start),
                )
            )
        bodies = defaultdict(dict)
        for (model, res_id), items in lines.items():
            bodies[model][res_id] = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Backward plan changed: %(reason)s", reason=reason),
                Markup("").join(items),
            )
        self._log(bodies)

    def _log(self, bodies):
        """Log ``{model: {id: body}}`` in the documents' chatter, in the acting user's name."""
        author = self.env.user.partner_id.id
        for model, model_bodies in bodies.items():
            self.env[model].browse(list(model_bodies))._message_log_batch(
                model_bodies, author_id=author, email_from=False
            )

    @api.model
    def _tell_cancelled(self, deadlines, orders):
        bodies = defaultdict(dict)
        for deadline in deadlines.filtered(lambda d: d.kind != "customer"):
            document = deadline._document()
            if document:
                bodies[document._name][document.id] = self.env._(
                    "Backward plan: %(orders)s was cancelled, so this step no longer has a deadline.",
                    orders=", ".join(orders.mapped("name")),
                )
        self._log(bodies)

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
        if state == "done_late" and not link.review_ids:
            if link.company_id.backward_review_auto:
                self._open_review(link)
            elif link.downstream_user_id:
                # the downstream side may review it: one click from this activity to the link
                link.activity_schedule(
                    "backward_management.mail_activity_type_review_late",
                    user_id=link.downstream_user_id.id,
                    note=self._reader(link.downstream_user_id).env._(
                        "%(link)s was handed over late: review it from the link if it calls for it.", link=link.name
                    ),
                )
        if state in ("done", "done_late", "cancel") and link.repromise_ids:
            # handed over (or cancelled) before anyone decided or settled: nothing is left to agree
            waiting = link.repromise_ids.filtered(lambda repromise: repromise.state in ("pending", "refused"))
            if waiting:
                waiting.write({"state": "superseded"})
                waiting._close_consent(self._recovery_feedback(link, state))
            if link.repromise_pending:
                link.write({"repromise_pending": False})
        link.write({"notified_state": state, "notified_expected": link.date_expected, "alert_error_date": False})

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
            link, document, "backward_management.mail_activity_type_delay_reason", "_reason_note"
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

    def _open_review(self, link):
        """Open a draft review for the downstream owner, penalties proposed by the policy."""
        review = self.env["backward.review"].create({"link_id": link.id})
        review.action_propose_penalties()
        reviewer = link.downstream_user_id or link.downstream_team_id.manager_id
        if reviewer:
            review.activity_schedule(
                "backward_management.mail_activity_type_review_late",
                user_id=reviewer.id,
                note=self._reader(reviewer).env._(
                    "%(link)s was handed over late: review it and propose a penalty, or drop it.", link=link.name
                ),
            )
        return review

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
        activity_type = self.env.ref("backward_management.mail_activity_type_delivery_at_risk")
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
                    "backward_management.mail_activity_type_delivery_at_risk", note=body, user_id=salesperson.id
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
