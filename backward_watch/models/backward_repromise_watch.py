"""Re-promises: how the watch notices them.

The watch (:meth:`backward.watch._repromises`) finds the documents whose own date moved
a handover past its deadline, once per new date; the notifier records each re-promise
(``backward.notifier._record_repromises``), accepts at once what the slack absorbs and
asks the downstream side to decide the rest, with the effect were it accepted
(``backward.repromise`` holds the decisions).
"""

from odoo import models
from odoo.tools import SQL

from odoo.addons.backward_plan.scheduling import expectation as engine

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
