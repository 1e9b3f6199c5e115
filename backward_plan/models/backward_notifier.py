"""Tell people: the chatter of the documents a plan moved, in one date format.

One date formatter for every message: a message meant for one person is written in that
person's language and timezone (``_reader``), whoever acts; a message in a document's
chatter in the acting user's. The layers above tell their own news through it (hooks of
``backward.notifier`` they extend).
"""

import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.tools import format_datetime

from ..scheduling.chain import PURCHASE_LINE

_logger = logging.getLogger(__name__)


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
