from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
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
    date_handover = fields.Datetime("Handed Over On", readonly=True)
    # -- early warning (written by backward.watch)
    date_expected = fields.Datetime(
        "Expected Handover",
        readonly=True,
        help="When the upstream is now expected to hand over: its own expectation or, when later, "
        "the projection through the delays of what feeds it.",
    )
    delay_hours = fields.Float(
        "Expected Delay (hours)",
        readonly=True,
        help="Expected handover minus the deadline: positive when late, negative when early.",
    )
    is_absorbed = fields.Boolean(
        "Absorbed by the Buffer",
        readonly=True,
        help="Expected after the handover deadline but before the need: the slack absorbs it, "
        "the customer is not threatened.",
    )
    endangers_promise = fields.Boolean(
        "Endangers the Customer",
        readonly=True,
        help="The order this link serves is projected to be delivered after its promise.",
    )
    notified_state = fields.Char(readonly=True, copy=False, help="The state its owners were last told about.")
    notified_expected = fields.Datetime(
        readonly=True, copy=False, help="The expectation its upstream owner's activity last quoted."
    )
    alert_error_date = fields.Datetime(readonly=True, copy=False)
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False, ondelete="set null")
    reason_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null", help="The open request for a delay reason."
    )
    # -- why it was late
    reason_id = fields.Many2one("backward.delay.reason", string="Delay Reason", readonly=True, tracking=True)
    reason_note = fields.Text("Delay Explanation", readonly=True)
    caused_upstream = fields.Boolean(
        readonly=True, help="An earlier link of the chain was late: this delay was caused upstream."
    )
    root_cause_id = fields.Many2one(
        "backward.link",
        readonly=True,
        help="The first late link of the chain.",
    )
    repromise_ids = fields.One2many("backward.repromise", "link_id", string="Re-promises")
    repromise_pending = fields.Boolean(
        "Re-promise Pending",
        readonly=True,
        copy=False,
        help="The upstream re-promised past the slack: the downstream owner has yet to accept or refuse.",
    )
    date_repromise_agreed = fields.Datetime(
        "Re-promise Agreed For",
        readonly=True,
        copy=False,
        help="The handover the downstream side accepted after a re-promise: the plan hands over then.",
    )
    review_ids = fields.One2many(
        "backward.review", "link_id", string="Reviews", groups="backward_management.backward_management_group_user"
    )
    review_count = fields.Integer(
        compute="_compute_review_count", groups="backward_management.backward_management_group_user"
    )
    # -- the on-time rate
    vendor_id = fields.Many2one("res.partner", readonly=True, index="btree_not_null")
    is_on_time = fields.Boolean("On Time", readonly=True)
    on_time_rate = fields.Float(
        "On-time Rate (%)",
        readonly=True,
        aggregator="avg",
        help="100 for a handover on time, 0 when late.",
    )
    lateness_hours = fields.Float(
        "Lateness (hours)",
        readonly=True,
        help="How late the handover was, or is now when still open.",
    )
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
        ("one_activity", "unique(activity_id)", "An activity warns about one link only."),
    ]

    def init(self):
        # The watch rewrites expectations and states in place: room left in each page lets
        # PostgreSQL update rows without touching the indexes (HOT updates).
        self.env.cr.execute(SQL("ALTER TABLE backward_link SET (fillfactor = 70)"))

    def _backward_set_cause(self):
        """A late link caused by an earlier late link says so, and names the first one
        (the watch's telling calls it, as superuser)."""
        caused = self.env.ref("backward_management.delay_reason_caused_upstream", raise_if_not_found=False)
        for link in self:
            self.env.cr.execute(
                SQL(
                    """
                    WITH RECURSIVE late_up(id, upstream_id, date_deadline, depth) AS (
                        SELECT l.id, l.upstream_id, l.date_deadline, 1
                          FROM backward_link l
                         WHERE l.downstream_id = %(step)s AND l.state IN ('late', 'done_late')
                        UNION
                        SELECT l.id, l.upstream_id, l.date_deadline, late_up.depth + 1
                          FROM backward_link l
                          JOIN late_up ON l.downstream_id = late_up.upstream_id
                         WHERE l.state IN ('late', 'done_late') AND late_up.depth < 100
                    )
                    SELECT id FROM late_up
                     WHERE NOT EXISTS (SELECT 1 FROM backward_link l
                                        WHERE l.downstream_id = late_up.upstream_id
                                          AND l.state IN ('late', 'done_late'))
                     ORDER BY date_deadline, id
                     LIMIT 1
                    """,
                    step=link.upstream_id.id,
                )
            )
            row = self.env.cr.fetchone()
            vals = {"caused_upstream": bool(row), "root_cause_id": row[0] if row else link.id}
            if row and caused and not link.reason_id:
                vals["reason_id"] = caused.id
            link.write(vals)

    def write(self, vals):
        # the planner and the watch keep these rows (as superuser): a client writes only the chatter
        refuse_client_writes(self, vals)
        return super().write(vals)

    def _backward_stake(self):
        """The step that really waits for this handover (through transfers): an MO or the customer."""
        self.ensure_one()
        return self.downstream_id._stake()

    @api.depends("sale_order_id.commitment_date", "sale_order_id.expected_date")
    def _compute_date_promise(self):
        for link in self:
            order = link.sale_order_id
            link.date_promise = order.commitment_date or order.expected_date

    def _compute_review_count(self):
        # the reviews this user may read
        counts = dict(self.env["backward.review"]._read_group([("link_id", "in", self.ids)], ["link_id"], ["__count"]))
        for link in self:
            link.review_count = counts.get(link, 0)

    def action_open_review(self):
        """Open the review of this late handover, creating it (with its proposed penalties)."""
        self.ensure_one()
        review = self.env["backward.review"].search([("link_id", "=", self.id)], limit=1)
        if not review:
            review = self.env["backward.review"].create({"link_id": self.id})
            review.action_propose_penalties()
        return {
            "type": "ir.actions.act_window",
            "res_model": "backward.review",
            "res_id": review.id,
            "view_mode": "form",
            "name": review.name,
        }

    def action_request_status(self):
        """The downstream owner asks the upstream owner where the handover stands."""
        self.ensure_one()
        user = self.env.user
        manager = user.has_group("backward_management.backward_management_group_manager")
        if user not in (self.downstream_user_id | self.downstream_team_id.manager_id) and not manager:
            raise AccessError(
                self.env._(
                    "Only the downstream owner of %(link)s or their team manager asks for its status.", link=self.name
                )
            )
        if self.state not in ("open", "absorbed", "at_risk", "late"):
            raise UserError(self.env._("%(link)s is no longer open: there is no status to ask.", link=self.name))
        # sudo: the downstream side may not read nor post on the upstream's document, nor post on links
        link = self.sudo()
        notifier = self.env["backward.notifier"]
        document = link.upstream_id._document()
        owner = notifier._owner(link, document) if document else self.env["res.users"]
        reader = notifier._reader(owner)
        body = reader.env._(
            "%(user)s asks where %(upstream)s stands: it must hand over by %(deadline)s to %(downstream)s. "
            "Please answer here.",
            user=user.name,
            upstream=link.upstream_id.name,
            deadline=reader._format(link.date_deadline),
            downstream=link.downstream_id.name,
        )
        target = document or link
        target.message_subscribe(partner_ids=user.partner_id.ids)
        target.message_post(
            body=body, partner_ids=owner.partner_id.ids, author_id=user.partner_id.id, message_type="comment"
        )
        if owner:
            target.activity_schedule(
                "backward_management.mail_activity_type_status_request", user_id=owner.id, note=body
            )
        link.message_post(body=body, author_id=user.partner_id.id)
        return True

    def action_give_reason(self):
        """Open the form in which the upstream owner explains the delay."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Give the Delay Reason"),
            "res_model": "backward.reason.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_link_id": self.id,
                "active_model": "backward.link",
                "active_id": self.id,
            },
        }

    def action_open_upstream(self):
        self.ensure_one()
        return self.upstream_id.action_open_document()

    def action_open_downstream(self):
        self.ensure_one()
        return self.downstream_id.action_open_document()
