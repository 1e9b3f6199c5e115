"""Who takes part in a review, who answers for the delay, and what the policy proposes.

Conflict of interest is checked on every act, not only when deciding: whoever the review
may penalise (the people and teams of every late link of its chain, and whoever its lines
name) neither proposes nor edits the lines, nor decides, nor corrects the ledger.
"""

from odoo import _, api, models
from odoo.exceptions import AccessError

from odoo.addons.backward_plan.scheduling import shares, split_delay

LATE = ("late", "done_late")
MANAGER_GROUP = "backward_plan.backward_management_group_manager"


class BackwardReview(models.Model):
    _inherit = "backward.review"

    def _is_manager(self):
        return self.env.user.has_group(MANAGER_GROUP)

    # ------------------------------------------------------------------ the late chain

    @api.model
    def _late_chain_of(self, link):
        """The late links up the chain of ``link``, upstream first, ending with ``link``.

        From each link, the latest late input of its upstream step: the delay it inherited.
        """
        chain = []
        seen = set()
        while link and link.id not in seen:
            seen.add(link.id)
            chain.append(link)
            inputs = link.upstream_id.upstream_link_ids.filtered(lambda item: item.state in LATE)
            link = inputs.sorted(lambda item: (item.lateness_hours, -item.id), reverse=True)[:1]
        return list(reversed(chain))

    def _late_chain(self):
        """[(link, hours it carries)] of the reviewed delay, upstream first.

        See "Shared responsibility" in the addon's readme/DESCRIPTION.md.
        """
        self.ensure_one()
        chain = self._late_chain_of(self.link_id)
        return list(zip(chain, split_delay([link.lateness_hours for link in chain]), strict=True))

    @api.model
    def _team_people(self, teams):
        return teams.manager_id | teams.member_ids

    @api.model
    def _chain_parties(self, links):
        """The people who answer for the upstream side of ``links``."""
        users = self.env["res.users"]
        for link in links:
            users |= link.upstream_user_id | self._team_people(link.upstream_team_id)
        return users

    # ------------------------------------------------------------------ the parties

    def _reviewer_users(self):
        """The downstream side: who reviews."""
        return self.downstream_user_id | self.downstream_team_id.manager_id

    def _answerer_users(self):
        """The upstream side of the reviewed link: who acknowledges or disputes."""
        return self.upstream_user_id | self.upstream_team_id.manager_id

    def _penalised_users(self):
        """Everyone the review may penalise: its lines (those that weigh), every party of its late chain.

        Read as the one who acts: the checks call it for a reviewer, an answerer or a manager,
        who all read every line of the review (security rules); the workflow, as superuser."""
        users = self.env["res.users"]
        for review in self:
            users |= review.penalty_ids.filtered("weighs")._penalised_users()
            users |= self._chain_parties(self._late_chain_of(review.link_id))
        return users

    def _involved_users(self):
        """Reviewer, reviewed, penalised, whoever opened, submitted or answered the review, and
        whoever was involved at any earlier step (owners changed since do not clear them)."""
        acted = self.submitted_by_id | self.answered_by_id
        acted |= self.create_uid.filtered(lambda user: not user._is_superuser())
        live = self._reviewer_users() | self._answerer_users() | self._penalised_users()
        return live | acted | self.involved_user_ids

    def _remember_involved(self):
        """Keep who is involved now, for every later check (written by the workflow)."""
        for review in self._decision():
            involved = review._involved_users()
            if involved - review.involved_user_ids:
                review.involved_user_ids = involved

    def _check_reviewer(self):
        """Propose, edit the lines, state the cost, submit: the downstream side or a manager, never a party."""
        if self.env.su:
            return
        # an action is called on ids: the caller must at least see the review
        self.check_access("read")
        user = self.env.user
        for review in self:
            if user not in review._reviewer_users() and not self._is_manager():
                raise AccessError(
                    _("Only the downstream owner or their team manager acts for %(review)s.", review=review.name)
                )
            if user in review._penalised_users() | review._answerer_users():
                raise AccessError(
                    _(
                        "You are among those %(review)s may penalise: its downstream side or another manager "
                        "proposes and edits its penalties.",
                        review=review.name,
                    )
                )

    def _check_answerer(self):
        """Acknowledge or dispute: the upstream owner or their team manager, or a manager not involved."""
        if self.env.su:
            return
        self.check_access("read")
        user = self.env.user
        for review in self:
            if user in review._answerer_users():
                continue
            if not self._is_manager() or user in review._involved_users():
                raise AccessError(
                    _("Only the upstream owner or their team manager answers %(review)s.", review=review.name)
                )

    def _check_decider(self):
        """Decide, close, correct: a Backward Management manager who is not involved."""
        if self.env.su:
            return
        if not self._is_manager():
            raise AccessError(_("Only a Backward Management manager decides a review."))
        self.check_access("read")
        for review in self:
            if self.env.user in review._involved_users():
                raise AccessError(
                    _(
                        "You take part in %(review)s (reviewer, reviewed or penalised): another manager must "
                        "decide it.",
                        review=review.name,
                    )
                )

    # ------------------------------------------------------------------ the proposal

    def _first_offence(self, party_field, party, kind):
        """No standing penalty nor warning yet for ``party`` on this kind of link in this
        company: one reversed since does not count (the correction says it should not have been)."""
        return not self.env["backward.penalty"].search_count(
            [
                (party_field, "=", party.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "approved"),
                ("link_id.kind", "=", kind),
                "|",
                ("points", ">", 0),
                ("is_warning", "=", True),
                ("reversal_ids", "=", False),
            ],
            limit=1,
        )

    @staticmethod
    def _party_of(link):
        """(party type, field, record) a late link's penalty names, or None."""
        if link.kind == "purchase" and link.vendor_id:
            return "vendor", "vendor_id", link.vendor_id
        if link.upstream_user_id:
            return "user", "user_id", link.upstream_user_id
        if link.upstream_team_id:
            return "team", "team_id", link.upstream_team_id
        return None

    def _prepare_penalty_lines(self):
        """Penalty lines the policy proposes: each late link's party, by the hours it carries."""
        self.ensure_one()
        chain = [(link, hours) for link, hours in self._late_chain() if hours > 0 and self._party_of(link)]
        percents = shares([hours for _link, hours in chain])
        policies = {
            policy.kind: policy
            for policy in self.env["backward.penalty.policy"].search([("company_id", "=", self.company_id.id)])
        }
        lines = []
        for (link, hours), share in zip(chain, percents, strict=True):
            party_type, field, party = self._party_of(link)
            points = amount = 0.0
            warning = False
            policy = policies.get(link.kind)
            if policy:
                points, amount, warning = policy._propose(hours, self._first_offence(field, party, link.kind))
            lines.append(
                {
                    "review_id": self.id,
                    "link_id": link.id,
                    "party_type": party_type,
                    field: party.id,
                    "share": share,
                    "lateness_hours": round(hours, 2),
                    "points": points,
                    "amount": amount,
                    "is_warning": warning,
                }
            )
        return lines
