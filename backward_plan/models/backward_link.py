from odoo import api, fields, models
from odoo.tools import SQL

from .client_guards import refuse_client_writes

LINK_KIND_SELECTION = [
    ("purchase", "Purchase"),
    ("production", "Manufacturing"),
    ("transfer", "Transfer"),
    ("delivery", "Delivery"),
]


class BackwardLink(models.Model):
    """A handover: the upstream step owes its output to the downstream step by a deadline."""

    _name = "backward.link"
    _description = "Backward Link"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_deadline, id"

    name = fields.Char(readonly=True)
    upstream_id = fields.Many2one(
        "backward.deadline",
        string="Upstream Step",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    downstream_id = fields.Many2one(
        "backward.deadline",
        string="Downstream Step",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    kind = fields.Selection(LINK_KIND_SELECTION, required=True, readonly=True, index=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        index=True,
        help="The order this handover serves.",
    )
    # What the documents' banners show of the order to users who may not read sale orders:
    # related and computed fields read the order as superuser (as the order's name is shown
    # on the link already), nothing else of it.
    customer_id = fields.Many2one(related="sale_order_id.partner_id", string="Customer")
    sale_order_name = fields.Char(related="sale_order_id.name", string="Order Reference")
    date_promise = fields.Datetime(
        "Promised Delivery",
        compute="_compute_date_promise",
        compute_sudo=True,
        help="The delivery date promised to the customer of the order this handover serves.",
    )
    date_deadline = fields.Datetime("Hand Over By", readonly=True, help="Latest handover, the link's buffer included.")
    date_deadline_baseline = fields.Datetime("Agreed Hand Over By", readonly=True)
    date_need = fields.Datetime(
        "Needed By",
        readonly=True,
        help="The downstream step's latest start: the handover deadline plus the slack.",
    )
    buffer_hours = fields.Float("Buffer (hours)", readonly=True, help="Slack this link carries by policy.")
    slack_hours = fields.Float(
        "Slack (hours)",
        readonly=True,
        help="Working hours between the handover deadline and the need, buffer and rounding to the grid included.",
    )
    is_driving = fields.Boolean(
        "Sets the Deadline",
        readonly=True,
        help="This need is the most urgent of the upstream step's needs.",
    )
    # -- the vendor of a purchase's handover
    vendor_id = fields.Many2one("res.partner", readonly=True, index="btree_not_null")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("absorbed", "Absorbed by the Buffer"),
            ("at_risk", "At Risk"),
            ("late", "Late"),
            ("done", "Handed Over"),
            ("done_late", "Handed Over Late"),
            ("cancel", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    # Owners are copied from the steps by the planner, so that lists filter on them fast.
    upstream_user_id = fields.Many2one("res.users", string="Upstream Owner", readonly=True, index=True)
    downstream_user_id = fields.Many2one("res.users", string="Downstream Owner", readonly=True, index=True)
    upstream_team_id = fields.Many2one("backward.team", readonly=True)
    downstream_team_id = fields.Many2one("backward.team", readonly=True)
    upstream_kind = fields.Selection(related="upstream_id.kind", string="Upstream Kind")
    downstream_kind = fields.Selection(related="downstream_id.kind", string="Downstream Kind")
    upstream_ref = fields.Char(related="upstream_id.name", string="Upstream")
    downstream_ref = fields.Char(related="downstream_id.name", string="Downstream")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)

    _sql_constraints = [
        (
            "handover_unique",
            "unique(upstream_id, downstream_id)",
            "Two steps are joined by one link only.",
        ),
        ("not_itself", "check(upstream_id != downstream_id)", "A step cannot feed itself."),
    ]

    def init(self):
        # The watch rewrites expectations and states in place: room left in each page lets
        # PostgreSQL update rows without touching the indexes (HOT updates).
        self.env.cr.execute(SQL("ALTER TABLE backward_link SET (fillfactor = 70)"))

    @api.depends("sale_order_id.commitment_date", "sale_order_id.expected_date")
    def _compute_date_promise(self):
        for link in self:
            order = link.sale_order_id
            link.date_promise = order.commitment_date or order.expected_date

    def write(self, vals):
        # the planner and the watch keep these rows (as superuser): a client writes only the chatter
        refuse_client_writes(self, vals)
        return super().write(vals)

    def action_open_upstream(self):
        self.ensure_one()
        return self.upstream_id.action_open_document()

    def action_open_downstream(self):
        self.ensure_one()
        return self.downstream_id.action_open_document()
