from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .client_guards import without_client_defaults


class SaleOrder(models.Model):
    _inherit = "sale.order"

    backward_deadline_ids = fields.Many2many(
        "backward.deadline",
        "backward_deadline_sale_order_rel",
        "order_id",
        "deadline_id",
        string="Backward Deadlines",
        readonly=True,
        copy=False,
    )
    backward_link_ids = fields.One2many("backward.link", "sale_order_id", string="Backward Links", readonly=True)
    backward_deadline_count = fields.Integer("Plan Steps", compute="_compute_backward_deadline_count")
    backward_plan_state = fields.Selection(
        [("none", "Not Planned"), ("proposed", "Proposed"), ("agreed", "Agreed")],
        string="Plan Agreement",
        default="none",
        readonly=True,
        copy=False,
        help="Proposed: the plan waits for sales, production and purchasing to agree its times. "
        "Agreed: its dates are the baseline deadlines are measured against.",
    )
    backward_planned_on = fields.Datetime("Planned On", readonly=True, copy=False)
    backward_agreed_on = fields.Datetime("Plan Agreed On", readonly=True, copy=False)
    backward_sales_agreed_uid = fields.Many2one("res.users", "Agreed for Sales by", readonly=True, copy=False)
    backward_sales_agreed_on = fields.Datetime("Sales Agreed On", readonly=True, copy=False)
    backward_production_agreed_uid = fields.Many2one("res.users", "Agreed for Production by", readonly=True, copy=False)
    backward_production_agreed_on = fields.Datetime("Production Agreed On", readonly=True, copy=False)
    backward_purchase_agreed_uid = fields.Many2one("res.users", "Agreed for Purchasing by", readonly=True, copy=False)
    backward_purchase_agreed_on = fields.Datetime("Purchasing Agreed On", readonly=True, copy=False)
    backward_needs_production = fields.Boolean(compute="_compute_backward_needs")
    backward_needs_purchase = fields.Boolean(compute="_compute_backward_needs")
    backward_is_feasible = fields.Boolean(
        "Feasible",
        readonly=True,
        copy=False,
        default=True,
        help="Every step of the chain can still start in time and the delivery date can be kept.",
    )
    backward_earliest_date = fields.Datetime(
        "Earliest Delivery",
        readonly=True,
        copy=False,
        help="The earliest date the customer can be served, planning forward from now and the documents' reality.",
    )
    backward_lateness_hours = fields.Float(
        "Infeasible By (hours)",
        readonly=True,
        copy=False,
        help="How much later than promised the earliest delivery is.",
    )
    backward_plan_warning = fields.Char("Planning Problem", readonly=True, copy=False)
    # every change the order waits for: one re-plan counts in each of their reports
    backward_replan_batch_ids = fields.Many2many(
        "backward.replan.batch",
        "backward_replan_batch_pending_rel",
        "order_id",
        "batch_id",
        string="Re-plans Pending",
        readonly=True,
        copy=False,
    )
    backward_replan_reason = fields.Char(
        "Re-plan Pending",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="A change this order's plan counts on (a holiday, a lead time...): the scheduled action re-plans it.",
    )

    @api.depends("backward_deadline_ids.state")
    def _compute_backward_deadline_count(self):
        for order in self:
            order.backward_deadline_count = len(order.backward_deadline_ids.filtered(lambda d: d.state != "cancel"))

    @api.depends("backward_deadline_ids.kind", "backward_deadline_ids.state")
    def _compute_backward_needs(self):
        for order in self:
            kinds = set(order.backward_deadline_ids.filtered(lambda d: d.state != "cancel").mapped("kind"))
            order.backward_needs_production = "production" in kinds
            order.backward_needs_purchase = "purchase" in kinds

    # ------------------------------------------------------------------ planning hooks

    def _action_confirm(self):
        # the lines' procurements run inside; plan once, when all documents exist
        result = super(SaleOrder, self.with_context(backward_defer_planning=True))._action_confirm()
        self._backward_plan_quietly(_("order confirmed"))
        return result

    def _backward_plan_quietly(self, reason):
        """Plan without blocking the user's action: a problem is shown on the order."""
        planner = self.env["backward.planner"]
        for order in self.filtered(lambda o: o.state == "sale"):
            try:
                # no savepoint needed: the planner raises what it refuses before writing
                planner._plan_sale_orders(order, reason)
            except UserError as error:
                order._backward_record_warning(error.args[0])

    def _backward_client_fields(self):
        """The order's own ``backward_`` fields a salesperson sets (hook: the plan's are all
        kept by the planner; a layer above may add a field of the order's own)."""
        return set()

    def _backward_record_warning(self, message):
        for order in self:
            if order.backward_plan_warning != message:
                order._backward_write({"backward_plan_warning": message})
                order.message_post(body=_("The order could not be planned backward: %(problem)s", problem=message))

    def _backward_write(self, vals):
        """Write the plan's own fields: only the planner, the watch and the agreement do,
        as superuser once they checked who acts (no client can act as superuser)."""
        orders = self.sudo()
        if not orders._track_get_fields().intersection(vals):
            # nothing tracked is written: the chatter need not read the tracked fields first
            orders = orders.with_context(mail_notrack=True)
        return orders.write(vals)

    def _backward_refuse_plan_fields(self, vals, creating=False):
        own = self._backward_client_fields()
        planned = {fname for fname in vals if fname.startswith("backward_") and fname not in own}
        if creating:
            # a form sends the defaults of a new order: only a value of its own is refused
            planned = {
                fname
                for fname in planned
                if vals[fname] and vals[fname] != (self._fields[fname].default or (lambda _record: False))(self)
            }
        if planned and not self.env.su:
            raise AccessError(
                _(
                    "%(fields)s are kept by the backward planning and cannot be set by hand.",
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in planned)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._backward_refuse_plan_fields(vals, creating=True)
        # the plan's fields are no default a client may send either; Odoo's own defaults stay
        denied = {name for name in self._fields if name.startswith("backward_")} - self._backward_client_fields()
        return super(SaleOrder, without_client_defaults(self, denied=denied)).create(vals_list).with_env(self.env)

    def write(self, vals):
        self._backward_refuse_plan_fields(vals)
        result = super().write(vals)
        if "commitment_date" in vals:
            self.filtered(lambda order: order.state == "sale")._backward_plan_quietly(_("delivery date changed"))
        return result

    def _action_cancel(self):
        # the documents cancelled on the way must not re-plan an order being cancelled
        result = super(SaleOrder, self.with_context(backward_defer_planning=True))._action_cancel()
        self.env["backward.planner"]._cancel_sale_orders(self)
        return result

    # ---------------------------------------------------------------------- actions

    def action_backward_plan(self):
        """Re-plan the selected orders now; a problem is an error naming the order."""
        self.check_access("read")
        orders = self.filtered(lambda order: order.state == "sale")
        if not orders:
            raise UserError(_("Only confirmed sale orders have a chain to plan: confirm the order first."))
        planner = self.env["backward.planner"]
        for order in orders:
            planner._plan_sale_orders(order, _("re-planned by %(user)s", user=self.env.user.name))
        return True

    def action_view_backward_plan(self):
        """The order's steps, grouped by their distance from the customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("backward_plan.backward_deadline_action")
        action["domain"] = [("sale_order_ids", "in", self.ids)]
        action["context"] = {"group_by": "level", "search_default_not_cancelled": 1}
        action["name"] = _("Backward Plan of %(order)s", order=self.name)
        return action

    def action_view_backward_chain(self):
        """The order's chain as a tree, from the customer promise upstream."""
        self.ensure_one()
        action = self.action_view_backward_plan()
        action["view_mode"] = "hierarchy,list,form"
        action["views"] = [(self.env.ref("backward_plan.backward_deadline_view_hierarchy").id, "hierarchy")]
        action["context"] = {"search_default_not_cancelled": 1}
        return action

    def action_view_backward_links(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("backward_plan.backward_link_action")
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_backward_check_feasibility(self):
        """Tell a salesperson whether the quotation's delivery date can be kept."""
        self.ensure_one()
        self.check_access("write")
        result = self.env["backward.simulation"]._simulate_order(self)
        self._backward_write(
            {
                "backward_earliest_date": result["earliest"],
                "backward_lateness_hours": result["lateness_hours"],
                "backward_is_feasible": result["feasible"],
                "backward_plan_warning": False,
            }
        )
        earliest = self.env["backward.notifier"]._format(result["earliest"])
        if result["feasible"]:
            message, kind = (
                _(
                    "The delivery date can be kept: the earliest delivery is %(date)s.",
                    date=earliest,
                ),
                "success",
            )
        elif not (self.commitment_date or self.expected_date):
            message, kind = (
                _("No delivery date yet: the earliest delivery is %(date)s.", date=earliest),
                "info",
            )
        else:
            message = _(
                "The delivery date cannot be kept: the earliest delivery is %(date)s, %(hours)s hours late.",
                date=earliest,
                hours=result["lateness_hours"],
            )
            kind = "warning"
            if result["bottleneck"]:
                message = _(
                    "%(message)s The work center %(workcenter)s is the bottleneck: its load leaves no room in time.",
                    message=message,
                    workcenter=result["bottleneck"].display_name,
                )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Feasibility of %(order)s", order=self.name),
                "message": message,
                "type": kind,
                "sticky": kind == "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
