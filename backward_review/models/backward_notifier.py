from odoo import api, models


class BackwardNotifier(models.AbstractModel):
    _inherit = "backward.notifier"

    def _handed_over_late(self, link):
        result = super()._handed_over_late(link)
        if link.review_ids:
            return result
        if link.company_id.backward_review_auto:
            self._open_review(link)
        elif link.downstream_user_id:
            # the downstream side may review it: one click from this activity to the link
            link.activity_schedule(
                "backward_review.mail_activity_type_review_late",
                user_id=link.downstream_user_id.id,
                note=self._reader(link.downstream_user_id).env._(
                    "%(link)s was handed over late: review it from the link if it calls for it.", link=link.name
                ),
            )
        return result

    @api.model
    def _open_review(self, link):
        """Open a draft review for the downstream owner, penalties proposed by the policy."""
        review = self.env["backward.review"].create({"link_id": link.id})
        review.action_propose_penalties()
        reviewer = link.downstream_user_id or link.downstream_team_id.manager_id
        if reviewer:
            review.activity_schedule(
                "backward_review.mail_activity_type_review_late",
                user_id=reviewer.id,
                note=self._reader(reviewer).env._(
                    "%(link)s was handed over late: review it and propose a penalty, or drop it.", link=link.name
                ),
            )
        return review
