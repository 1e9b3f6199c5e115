"""The watch's side of a step: what its document says now, and what waits for it."""

from odoo import fields, models


class BackwardDeadline(models.Model):
    _inherit = "backward.deadline"

    date_expected = fields.Datetime(
        "Expected Finish",
        readonly=True,
        help="What the document says now: the vendor's expected arrival, the manufacturing "
        "order's planned end, the transfer's scheduled date.",
    )
    date_projected = fields.Datetime(
        "Projected Finish",
        readonly=True,
        help="When the step will really be done: its own expectation and the delays of what feeds it.",
    )
    is_started = fields.Boolean("Started", readonly=True)
    expectation_issue = fields.Selection(
        [
            ("no_expected_date", "The purchase has no expected date"),
            ("vendor_before_order", "The vendor's date is before the order date"),
            ("components_missing", "Components are missing a day before the start"),
        ],
        readonly=True,
        help="Why the expectation read from the document cannot be trusted as it is.",
    )

    def _stake(self):
        """The step that really waits: through transfers, the first production or customer step."""
        self.ensure_one()
        step, seen = self, set()
        while step.kind in ("receipt", "transfer", "delivery") and step.id not in seen:
            seen.add(step.id)
            following = (
                step.parent_id or step.downstream_link_ids.filtered(lambda l: l.state != "cancel")[:1].downstream_id
            )
            if not following:
                break
            step = following
        return step
