"""The deciding manager amends the shares of a disputed review before upholding it.

A dispute often says "not all mine": the lines were frozen when the review was submitted,
so without this step the decider could only uphold the reviewer's split or waive it all.
Points and amounts follow the amended shares. The amendment is the decider's act,
checked like the decision (a manager who is not involved), and never that of a party a
line names, even one with nothing on it yet. What changed, party by party, and why, is
posted in the review's chatter.
"""

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare


class BackwardReview(models.Model):
    _inherit = "backward.review"  # pylint: disable=consider-merging-classes-inherited

    def _check_amender(self):
        """Amend the shares: the deciding manager, who is named on none of the lines."""
        if self.env.su:
            return
        self._check_decider()
        for review in self:
            if self.env.user in review.penalty_ids._penalised_users():
                raise AccessError(
                    self.env._("A line of %(review)s names you: another manager amends its shares.", review=review.name)
                )

    def action_open_amend_wizard(self):
        """Ask the new shares and the reason of the amendment in a small form."""
        self.ensure_one()
        self._check_amender()
        self._check_state("disputed")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Amend Shares"),
            "res_model": "backward.review.amend.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_id": self.id},
        }

    def action_amend_shares(self, shares, reason):
        """Set the shares of the proposed lines of a disputed review, and say why.

        ``shares`` maps a proposed line's id to its new share (%); the lines left out keep
        theirs. Everything is checked before anything is written: who acts, the state, the
        reason, each share, and their total (100%).
        """
        self.ensure_one()
        self._check_amender()
        self._check_state("disputed")
        if not (reason or "").strip():
            raise UserError(
                self.env._(
                    "Say why the shares of %(review)s are amended: the reason stays in its chatter.", review=self.name
                )
            )
        lines = self._proposed_lines()
        amended = self._parse_shares(shares)
        if set(amended) - set(lines.ids):
            raise UserError(self.env._("Only the proposed lines of %(review)s have shares to amend.", review=self.name))
        new = {line: amended.get(line.id, line.share) for line in lines}
        self._check_shares(list(new.values()))
        changes = [
            (line, line.share, share)
            for line, share in new.items()
            if float_compare(line.share, share, precision_digits=2)
        ]
        if not changes:
            raise UserError(
                self.env._("The shares of %(review)s are unchanged: uphold or waive it as it is.", review=self.name)
            )
        # points and amount per percent of responsibility, for a line that had no share
        weighed = lines.filtered("share")
        total = sum(weighed.mapped("share")) or 100.0
        rate = (sum(weighed.mapped("points")) / total, sum(weighed.mapped("amount")) / total)
        for line, old, share in changes:
            line.write(self._amended_line_vals(line, old, share, rate))
        # a line given a share now penalises its party, who stays involved whatever comes next
        self._remember_involved()
        self._decision().message_post(body=self._amendment_body(changes, reason))
        return True

    @api.model
    def _amended_line_vals(self, line, old, share, rate):
        """The line's new share; its points and amount follow it in proportion (the policy
        proposed them from the hours the party carries, as the share). A line that had no
        share takes the review's ``rate`` (points, amount per percent); at 0%, nothing, not
        even a warning (it would use up the party's first offence)."""
        if not share:
            return {"share": 0.0, "points": 0.0, "amount": 0.0, "is_warning": False}
        if old:
            return {
                "share": share,
                "points": round(line.points * share / old, 2),
                "amount": round(line.amount * share / old, 2),
            }
        return {"share": share, "points": round(rate[0] * share, 2), "amount": round(rate[1] * share, 2)}

    @api.model
    def _parse_shares(self, shares):
        """{line id: share} from what a client sent (JSON turns the ids into strings), each 0-100%."""
        try:
            amended = {int(line_id): round(float(share), 2) for line_id, share in dict(shares or {}).items()}
        except (TypeError, ValueError):
            raise ValidationError(self.env._("Amended shares are percentages, given line by line.")) from None
        for share in amended.values():
            # also refuses NaN, which compares false to everything
            if not 0 <= share <= 100:
                raise ValidationError(
                    self.env._("A share of responsibility is between 0 and 100%%, not %(share)s%%.", share=share)
                )
        return amended

    def _amendment_body(self, changes, reason):
        """The chatter's record of an amendment: old -> new share of each party, then the reason."""
        items = Markup().join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(party)s: %(old)s%% → %(new)s%%", party=line.party_name, old=round(old, 2), new=round(new, 2)
            )
            for line, old, new in changes
        )
        return Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
            self.env._("Shares of responsibility amended before the decision:"),
            items,
            self.env._("Reason: %(reason)s", reason=reason),
        )
