from odoo import api, fields, models
from odoo.tools import SQL

from .backward_chain_reader import OWNER_SOURCES
from .client_guards import refuse_client_writes

STEP_KINDS = [
    ("customer", "Customer Promise"),
    ("delivery", "Delivery"),
    ("transfer", "Internal Transfer"),
    ("receipt", "Receipt"),
    ("production", "Manufacturing"),
    ("purchase", "Purchase"),
]


class BackwardDeadline(models.Model):
    """One step of a sale order's fulfilment and the dates it must keep.

    Records are written by the planner (``backward.planner``); users read them from
    their sale, manufacturing and purchase orders and transfers.
    """

    _name = "backward.deadline"
    _description = "Backward Deadline"
    _order = "date_deadline, id"
    _rec_name = "name"
    _parent_name = "parent_id"

    name = fields.Char(required=True, readonly=True)
    step_key = fields.Char(
        required=True,
        readonly=True,
        index=True,
        copy=False,
        help="The document this step stands for, as 'model,id'.",
    )
    kind = fields.Selection(STEP_KINDS, required=True, readonly=True, index=True)
    # -- the demand this step serves
    sale_order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The order whose need sets this step's deadline (the most urgent one).",
    )
    sale_order_ids = fields.Many2many(
        "sale.order",
        "backward_deadline_sale_order_rel",
        "deadline_id",
        "order_id",
        string="Sale Orders Served",
        readonly=True,
    )
    customer_id = fields.Many2one(related="sale_order_id.partner_id", string="Customer")
    # -- the document
    # A deleted document leaves its step behind (cancelled by the watch): nothing is lost.
    production_id = fields.Many2one("mrp.production", readonly=True, index="btree_not_null", ondelete="set null")
    purchase_line_id = fields.Many2one(
        "purchase.order.line", readonly=True, index="btree_not_null", ondelete="set null"
    )
    purchase_id = fields.Many2one(
        "purchase.order",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        string="Purchase Order",
    )
    picking_id = fields.Many2one("stock.picking", readonly=True, index="btree_not_null", ondelete="set null")
    product_id = fields.Many2one("product.product", readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True, help="Vendor or customer.")
    # -- the plan
    date_deadline = fields.Datetime(
        "Deadline", readonly=True, help="Latest finish: the step must hand over its output by then."
    )
    date_start_deadline = fields.Datetime(
        "Start By",
        readonly=True,
        help="Latest start; for a purchase, the date by which it must be ordered.",
    )
    date_deadline_baseline = fields.Datetime(
        "Agreed Deadline",
        readonly=True,
        help="The deadline when sales, production and purchasing agreed the plan.",
    )
    date_start_deadline_baseline = fields.Datetime("Agreed Start By", readonly=True)
    date_earliest_start = fields.Datetime(
        "Earliest Start",
        readonly=True,
        help="When the step can start at the earliest, from now and reality.",
    )
    date_earliest_finish = fields.Datetime("Earliest Finish", readonly=True)
    date_done = fields.Datetime("Done On", readonly=True)
    # Odoo schedules documents just in time, without our buffers: the expectation is this
    # deadline moved by how far (in working time) the document's own date moved since then.
    date_document_planned = fields.Datetime(
        "Document Date When Planned",
        readonly=True,
        help="The document's own date (expected arrival, planned end, scheduled date) when the step was "
        "first planned: how far it moves from it is how far the step is expected to move.",
    )
    duration_hours = fields.Float("Duration (hours)", readonly=True, help="Working and elapsed time of the step.")
    segments = fields.Json(
        readonly=True,
        help="The step's duration as the planner computed it: working time on calendars and elapsed time. "
        "The watch counts with the same.",
    )
    buffer_hours = fields.Float("Buffer (hours)", readonly=True, help="Slack of the link that sets the deadline.")
    calendar_id = fields.Many2one("resource.calendar", string="Working Calendar", readonly=True)
    level = fields.Integer(readonly=True, help="Number of handovers between this step and the customer.")
    parent_id = fields.Many2one(
        "backward.deadline",
        string="Feeds",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The downstream step whose need sets this deadline.",
    )
    child_ids = fields.One2many("backward.deadline", "parent_id", string="Fed By")
    warning = fields.Char(readonly=True, help="What the planner could not plan as it should.")
    # -- people
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True, index=True)
    owner_source = fields.Selection(
        OWNER_SOURCES,
        string="Responsible As",
        readonly=True,
        help="Why this person answers for the step: the document names them, or, for a manufacturing "
        "order without a Responsible, its work center's owner, that work center's team manager or the "
        "manufacturing manager.",
    )
    team_id = fields.Many2one("backward.team", readonly=True, index=True)
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        default="planned",
        required=True,
        readonly=True,
        index=True,
    )
    is_start_past = fields.Boolean(
        "Start Already Past",
        readonly=True,
        help="When planned, the latest start was already past: the step cannot keep its deadline.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    upstream_link_ids = fields.One2many("backward.link", "downstream_id", string="Inputs")
    downstream_link_ids = fields.One2many("backward.link", "upstream_id", string="Outputs")
    document_ref = fields.Char("Document", compute="_compute_document_ref")

    _sql_constraints = [
        ("step_key_unique", "unique(step_key)", "A document has one backward deadline only."),
    ]

    def init(self):
        # The watch rewrites expectations and states in place: room left in each page lets
        # PostgreSQL update rows without touching the indexes (HOT updates).
        self.env.cr.execute(SQL("ALTER TABLE backward_deadline SET (fillfactor = 70)"))

    def write(self, vals):
        # the planner and the watch keep these rows (as superuser): a client writes only the chatter
        refuse_client_writes(self, vals)
        return super().write(vals)

    @api.depends("production_id", "purchase_line_id", "picking_id", "sale_order_id", "kind")
    def _compute_document_ref(self):
        for deadline in self:
            document = deadline._document()
            deadline.document_ref = document.display_name if document else False

    def _document(self):
        """The Odoo document this step stands for (the order for a purchase line)."""
        self.ensure_one()
        if self.kind == "customer":
            return self.sale_order_id
        return self.production_id or self.purchase_id or self.picking_id

    def action_open_document(self):
        """Open the manufacturing order, purchase order, transfer or sale order."""
        self.ensure_one()
        document = self._document()
        return {
            "type": "ir.actions.act_window",
            "res_model": document._name,
            "res_id": document.id,
            "view_mode": "form",
            "name": document.display_name,
        }
