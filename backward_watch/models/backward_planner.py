from odoo import models

from odoo.addons.backward_plan.scheduling import to_timestamp


class BackwardPlanner(models.AbstractModel):
    _inherit = "backward.planner"

    def _agreed_handovers(self, links, chain):
        """The latest handover agreed by each upstream step's downstream side (accepted
        re-promises)."""
        agreed = super()._agreed_handovers(links, chain)
        for link in links:
            key = link.upstream_id.step_key
            # kept once handed over: the steps it pushed stay where they were agreed
            if link.date_repromise_agreed and link.state != "cancel" and key in chain.steps:
                moment = to_timestamp(link.date_repromise_agreed)
                agreed[key] = max(agreed.get(key, moment), moment)
        return agreed
