"""Re-promises: how the watch notices them and whom it asks.

The watch (:meth:`backward.watch._repromises`) finds the documents whose own date moved
a handover past its deadline, once per new date; the notifier records each re-promise,
accepts at once what the slack absorbs and asks the downstream side to decide the rest,
with the effect were it accepted (``backward.repromise`` holds the decisions). Both run
inside the watch's evaluation, as superuser (``backward.repromise.create`` refuses anyone else).
"""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..scheduling import expectation as engine
from . import backward_watch_facts as F
from .backward_watch_facts import dt as _dt
from .backward_watch_facts import ts as _ts


class BackwardWatch(models.AbstractModel):
    _inherit = "backward.watch"

    def _repromises(self, changes, link_rows, context):
        """A document moved its own date past the deadline of a link it owes: a re-promise."""
        later = {}
        for row, expected in changes:
            old = self._promised_before(row)
            if old and expected.from_document and expected.expected is not None and expected.expected > _ts(old):
                later[row[F.S_ID]] = (old, expected)
        if not later:
            return
        moves = {}
        for link in link_rows:
            if link[F.L_UP] not in later or not link[F.L_DEADLINE]:
                continue
            old, expected = later[link[F.L_UP]]
            if expected.expected > _ts(link[F.L_DEADLINE]):
                calendar = context.of_step(link[F.L_UP])[0]
                hours = engine.working_hours(calendar, _ts(link[F.L_DEADLINE]), expected.expected)
                moves[link[F.L_ID]] = (old, _dt(expected.expected), hours)
        if not moves:
            return
        # a date already re-promised (or earlier) is no new re-promise
        self.env.cr.execute(
            SQL(
                "SELECT link_id, MAX(date_new) FROM backward_repromise WHERE link_id = ANY(%s) GROUP BY link_id",
                list(moves),
            )
        )
        for link_id, recorded in self.env.cr.fetchall():
            if recorded and moves[link_id][1] <= recorded:
                del moves[link_id]
        if moves:
            links = self.env["backward.link"].browse(list(moves))
            self.env["backward.notifier"]._record_repromises({link: moves[link.id] for link in links})

    @staticmethod
    def _promised_before(row):
        """What the step promised before this pass. A first expectation promises nothing anew:
        only one moving later is a re-promise. But an RFQ promised nothing yet: the vendor's
        first date, once ordered, is weighed against the receive-by it was asked for."""
        if row[F.S_KIND] == "purchase" and not row[F.S_STARTED]:
            return row[F.S_DEADLINE]
        return row[F.S_EXPECTED]


class BackwardNotifier(models.AbstractModel):
    _inherit = "backward.notifier"

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
        delay = self.env.ref("backward_management.mail_activity_type_repromise_consent").delay_count or 1
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
            "backward_management.mail_activity_type_repromise_consent",
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
