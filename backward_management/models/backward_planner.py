"""Gather a sale order's chain from the documents Odoo created, plan it, write the plan.

The recipe (``_plan_sale_orders``) reads like the steps it takes:

1. ``_walk_moves``: one recursive SQL query follows the stock moves upstream from the
   order lines (move origins, manufacturing orders' components, purchase lines);
2. ``_build_graph``: moves become steps (transfers, manufacturing orders, purchase lines,
   the customer promise) and handovers between steps;
3. ``_load_documents``: the documents and their delays, read in batch through the ORM;
4. ``_core_steps``: durations on working calendars, buffers, reality, for the core;
5. the pure core plans backward (deadlines) and forward (earliest dates);
6. ``_write_plan``: deadlines and links created or updated in bulk, the change told in
   the chatter of every document whose dates moved.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from .. import scheduling
from ..scheduling import HOUR, from_timestamp, to_timestamp
from .backward_link import LINK_KIND_BY_STEP

_logger = logging.getLogger(__name__)

DAY = 24 * HOUR
# Horizons tried for the calendars, in days around the chain's dates; whole months, so
# that the expansion of a calendar's weeks is cached from one planning to the next.
HORIZON_MARGINS = (62, 400, 2000)

SALE, PICKING, PRODUCTION, PURCHASE_LINE = (
    "sale.order",
    "stock.picking",
    "mrp.production",
    "purchase.order.line",
)
# Fields the planner owns on backward.deadline and backward.link, written in bulk.
DEADLINE_FIELDS = (
    "name",
    "kind",
    "sale_order_id",
    "production_id",
    "purchase_line_id",
    "purchase_id",
    "picking_id",
    "product_id",
    "partner_id",
    "date_deadline",
    "date_start_deadline",
    "date_earliest_start",
    "date_earliest_finish",
    "date_done",
    "duration_hours",
    "buffer_hours",
    "calendar_id",
    "level",
    "warning",
    "user_id",
    "team_id",
    "state",
    "is_start_past",
    "company_id",
)
LINK_FIELDS = (
    "name",
    "kind",
    "sale_order_id",
    "date_deadline",
    "date_need",
    "buffer_hours",
    "slack_hours",
    "is_driving",
    "state",
    "vendor_id",
    "upstream_user_id",
    "downstream_user_id",
    "upstream_team_id",
    "downstream_team_id",
    "company_id",
)


def step_key(model, res_id):
    return f"{model},{res_id}"


@dataclass
class ChainStep:
    """What the planner knows of a step before and after planning."""

    key: str
    model: str
    res_id: int
    orders: set = field(default_factory=set)  # sale orders whose promise it serves
    moves: list = field(default_factory=list)  # rows of the move walk
    kind: str = ""
    company_id: int = 0
    name: str = ""
    state: str = "planned"
    user_id: int = 0
    partner_id: int = 0
    product_id: int = 0
    calendar_key: tuple = ()
    segments: list = field(default_factory=list)  # (kind, calendar key, hours)
    done_at: object = None
    started_at: object = None
    expected_finish: object = None
    promise: object = None
    warning: str = ""
    level: int = 0
    is_tail: bool = False  # the last step known before the customer, not a delivery yet
    tail_push_days: float = 0
    document_planned: object = None  # the document's own schedule (Odoo's)
    purchase_id: int = 0


@dataclass
class Chain:
    steps: dict = field(default_factory=dict)  # key -> ChainStep
    edges: set = field(default_factory=set)  # (upstream key, downstream key)

    def add(self, key, model, res_id):
        if key not in self.steps:
            self.steps[key] = ChainStep(key, model, res_id)
        return self.steps[key]


class BackwardPlanner(models.AbstractModel):
    _name = "backward.planner"
    _description = "Backward Planner"

    # ------------------------------------------------------------------ entry points

    @api.model
    def _plan_sale_orders(self, orders, reason):
        """Plan or re-plan the chains of confirmed ``orders``.

        Raises UserError naming the order and what is missing when an order cannot be
        planned; callers that must not fail (confirmation) catch it.
        """
        orders = orders.filtered(lambda order: order.state == "sale")
        if not orders:
            return
        self.env.flush_all()
        now = to_timestamp(fields.Datetime.now())
        rows = self._walk_moves(orders.ids)
        chain = self._build_graph(orders, rows)
        self._load_documents(chain, orders)
        existing = (
            self.env["backward.deadline"]
            .sudo()
            .search_fetch(
                ["|", ("step_key", "in", list(chain.steps)), ("sale_order_ids", "in", orders.ids)],
                [*DEADLINE_FIELDS, "step_key", "parent_id", "date_deadline_baseline"],
            )
        )
        links = (
            self.env["backward.link"]
            .sudo()
            .search_fetch(
                ["|", ("upstream_id", "in", existing.ids), ("downstream_id", "in", existing.ids)],
                [*LINK_FIELDS, "upstream_id", "downstream_id"],
            )
        )
        caps = self._outside_needs(links, existing, chain, orders)
        plan, forward, core = self._compute(chain, caps, now)
        self._write_plan(chain, orders, existing, links, plan, forward, core, now, reason, caps)

    @api.model
    def _project_sale_orders(self, orders):
        """Projected completion of ``orders``: a forward pass from each document's expectation.

        Deadlines are left alone; each step gets its projected finish and each order its
        projected completion date. Slack is not spent: the buffers are not added.
        """
        orders = orders.filtered(lambda order: order.state == "sale")
        if not orders:
            return
        self.env.flush_all()
        now = to_timestamp(fields.Datetime.now())
        chain = self._build_graph(orders, self._walk_moves(orders.ids))
        self._load_documents(chain, orders)
        Deadline = self.env["backward.deadline"].sudo()
        deadlines = Deadline.search_fetch(
            [("step_key", "in", list(chain.steps))], ["step_key", "date_projected", "date_expected"]
        )
        for deadline in deadlines:
            step = chain.steps[deadline.step_key]
            if step.state in ("planned", "in_progress") and deadline.date_expected:
                # the watch's expectation: the document's schedule, read against the plan
                step.expected_finish = deadline.date_expected
        _plan, forward, _core = self._compute(chain, {}, now, projection=True)
        updates = {}
        for deadline in deadlines:
            dates = forward.get(deadline.step_key)
            projected = from_timestamp(dates.finish) if dates else False
            if deadline.date_projected != projected:
                updates[deadline.id] = {"date_projected": projected}
        self._bulk_update(Deadline, updates, ("date_projected",))
        for order in orders.sudo():
            dates = forward.get(step_key(SALE, order.id))
            promise = chain.steps[step_key(SALE, order.id)].promise
            projected = from_timestamp(dates.finish) if dates else False
            delay = (projected - promise).total_seconds() / HOUR if projected and promise else 0.0
            order._backward_write(
                {
                    "backward_projected_date": projected,
                    "backward_projected_late": delay > 0,
                    "backward_projected_delay_hours": round(max(delay, 0.0), 2),
                    "backward_projection_pending": False,
                }
            )

    @api.model
    def _cancel_sale_orders(self, orders):
        """A cancelled order: its own steps and links are cancelled, never deleted.

        Steps shared with orders still alive are re-planned for those orders.
        """
        Deadline = self.env["backward.deadline"].sudo()
        deadlines = Deadline.search([("sale_order_ids", "in", orders.ids), ("state", "!=", "cancel")])
        shared = deadlines.filtered(lambda deadline: deadline.sale_order_ids - orders)
        own = deadlines - shared
        links = (
            self.env["backward.link"]
            .sudo()
            .search(
                [
                    ("state", "!=", "cancel"),
                    "|",
                    ("sale_order_id", "in", orders.ids),
                    "|",
                    ("upstream_id", "in", own.ids),
                    ("downstream_id", "in", own.ids),
                ]
            )
        )
        if own:
            self.env.cr.execute(SQL("UPDATE backward_deadline SET state = 'cancel' WHERE id = ANY(%s)", own.ids))
            own.invalidate_recordset(["state"])
        if links:
            self.env.cr.execute(SQL("UPDATE backward_link SET state = 'cancel' WHERE id = ANY(%s)", links.ids))
            links.invalidate_recordset(["state"])
        others = (shared.sale_order_ids - orders).filtered(lambda order: order.state == "sale")
        if others:
            others._backward_plan_quietly(_("an order sharing its chain was cancelled"))
        self._notify_cancelled(own, orders)

    def _invalidate_documents(self):
        """The documents show their deadlines through computed fields: forget them."""
        for model in ("mrp.production", "stock.picking", "purchase.order", "purchase.order.line"):
            self.env[model].invalidate_model(
                [
                    "backward_deadline_ids",
                    "backward_date_deadline",
                    "backward_date_start_deadline",
                    "backward_feeds",
                    "backward_is_start_past",
                    "backward_upstream_link_ids",
                    "backward_downstream_link_ids",
                ]
            )
        self.env["sale.order"].invalidate_model(
            [
                "backward_deadline_ids",
                "backward_deadline_count",
                "backward_needs_production",
                "backward_needs_purchase",
            ]
        )
        self.env["backward.deadline"].invalidate_model(["upstream_link_ids", "downstream_link_ids", "child_ids"])

    def _notify_cancelled(self, deadlines, orders):
        bodies = defaultdict(dict)
        for deadline in deadlines.filtered(lambda d: d.kind != "customer"):
            document = deadline._document()
            bodies[document._name][document.id] = _(
                "Backward plan: %(orders)s was cancelled, so this step no longer has a deadline.",
                orders=", ".join(orders.mapped("name")),
            )
        for model, model_bodies in bodies.items():
            self.env[model].sudo().browse(list(model_bodies))._message_log_batch(model_bodies)

    @api.model
    def _replan_documents(self, documents, reason):
        """Re-plan the orders whose chains hold ``documents`` (after a cancel, a split...)."""
        if not documents or self.env.context.get("backward_defer_planning"):
            return
        keys = [step_key(document._name, document.id) for document in documents]
        if documents._name == "purchase.order":
            keys = [step_key(PURCHASE_LINE, line_id) for line_id in documents.order_line.ids]
        deadlines = self.env["backward.deadline"].sudo().search([("step_key", "in", keys)])
        orders = deadlines.sale_order_ids.filtered(lambda order: order.state == "sale")
        for order in orders:
            # each order alone, so that one order's bad data does not block the others
            try:
                with self.env.cr.savepoint():
                    self._plan_sale_orders(order, reason)
            except UserError as error:
                order.sudo()._backward_record_warning(error.args[0])

    # ----------------------------------------------------------------------- the walk

    def _walk_moves_query(self, order_ids):
        """Moves feeding the orders, upstream to the first supply, with their documents.

        Each row is a move and one move it feeds (``dest_id``), with the columns of its
        transfer or manufacturing order that planning needs.
        """
        return SQL(
            """
            WITH RECURSIVE walk(move_id, dest_id) AS (
                SELECT move.id, NULL::integer
                  FROM stock_move move
                  JOIN sale_order_line line ON line.id = move.sale_line_id
                 WHERE line.order_id = ANY(%(order_ids)s)
                   AND move.origin_returned_move_id IS NULL
                UNION
                SELECT origin.move_id, walk.move_id
                  FROM walk
                  CROSS JOIN LATERAL (
                        SELECT rel.move_orig_id AS move_id
                          FROM stock_move_move_rel rel
                         WHERE rel.move_dest_id = walk.move_id
                        UNION ALL
                        SELECT raw.id
                          FROM stock_move finished
                          JOIN stock_move raw
                            ON raw.raw_material_production_id = finished.production_id
                         WHERE finished.id = walk.move_id
                  ) origin
            )
            SELECT walk.move_id, walk.dest_id, move.state, move.date, move.picking_id,
                   move.production_id, move.raw_material_production_id, move.purchase_line_id,
                   move.company_id, location.usage, line.order_id, rule.delay AS rule_delay,
                   (SELECT COALESCE(SUM(push.delay), 0)
                      FROM stock_rule push
                      JOIN stock_warehouse warehouse ON warehouse.delivery_route_id = push.route_id
                     WHERE warehouse.id = picking_type.warehouse_id
                       AND push.action IN ('push', 'pull_push') AND push.active
                       AND push.location_src_id != move.location_id) AS push_delay,
                   ARRAY(SELECT rel.created_purchase_line_id
                           FROM stock_move_created_purchase_line_rel rel
                          WHERE rel.move_id = move.id) AS rfq_line_ids,
                   picking.name AS picking_name, picking.state AS picking_state,
                   picking.scheduled_date, picking.date_done AS picking_done,
                   picking.user_id AS picking_user_id, picking.company_id AS picking_company_id,
                   picking.partner_id AS picking_partner_id, picking_type.code AS picking_code,
                   production.name AS production_name, production.state AS production_state,
                   production.user_id AS production_user_id, production.date_start,
                   production.date_finished, production.company_id AS production_company_id,
                   production.product_id AS production_product_id, production.bom_id,
                   bom.produce_delay, bom.days_to_prepare_mo
              FROM walk
              JOIN stock_move move ON move.id = walk.move_id
              JOIN stock_location location ON location.id = move.location_dest_id
              LEFT JOIN sale_order_line line ON line.id = move.sale_line_id
              LEFT JOIN stock_rule rule ON rule.id = move.rule_id
              LEFT JOIN stock_picking picking ON picking.id = move.picking_id
              LEFT JOIN stock_picking_type picking_type ON picking_type.id = picking.picking_type_id
              LEFT JOIN mrp_production production
                ON production.id = COALESCE(move.production_id, move.raw_material_production_id)
              LEFT JOIN mrp_bom bom ON bom.id = production.bom_id
            """,
            order_ids=list(order_ids),
        )

    def _walk_moves(self, order_ids):
        self.env.cr.execute(self._walk_moves_query(order_ids))
        return self.env.cr.dictfetchall()

    def _workorders_query(self, production_ids):
        """Work orders of the manufacturing orders, in their order, with their calendars."""
        return SQL(
            """
            SELECT workorder.production_id, workorder.duration_expected,
                   workcenter.resource_calendar_id, workcenter.resource_id
              FROM mrp_workorder workorder
              JOIN mrp_workcenter workcenter ON workcenter.id = workorder.workcenter_id
             WHERE workorder.production_id = ANY(%(production_ids)s)
             ORDER BY workorder.production_id, workorder.sequence, workorder.id
            """,
            production_ids=list(production_ids),
        )

    def _purchase_lines_query(self, line_ids):
        """Purchase lines with their order, product and the vendor's lead time."""
        return SQL(
            """
            SELECT line.id, line.order_id, line.date_planned, line.company_id, line.product_id,
                   line.state AS line_state, purchase.name AS order_name, purchase.state,
                   purchase.user_id, purchase.partner_id, purchase.date_approve,
                   purchase.date_order, product.default_code,
                   COALESCE(template.name->>%(lang)s, template.name->>'en_US') AS product_name,
                   seller.delay AS vendor_delay
              FROM purchase_order_line line
              JOIN purchase_order purchase ON purchase.id = line.order_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
              LEFT JOIN LATERAL (
                    SELECT info.delay
                      FROM product_supplierinfo info
                     WHERE info.partner_id = purchase.partner_id
                       AND (info.product_id = line.product_id
                            OR (info.product_id IS NULL
                                AND info.product_tmpl_id = product.product_tmpl_id))
                       AND (info.company_id IS NULL OR info.company_id = line.company_id)
                     ORDER BY info.product_id IS NULL, info.sequence, info.min_qty, info.id
                     LIMIT 1
              ) seller ON TRUE
             WHERE line.id = ANY(%(line_ids)s)
            """,
            line_ids=list(line_ids),
            lang=self.env.lang or "en_US",
        )

    @staticmethod
    def _move_step(row):
        if row["picking_id"]:
            return step_key(PICKING, row["picking_id"])
        production_id = row["production_id"] or row["raw_material_production_id"]
        if production_id:
            return step_key(PRODUCTION, production_id)
        return None

    def _build_graph(self, orders, rows):
        """Steps and handovers from the moves: one step per document."""
        chain = Chain()
        for order in orders:
            chain.add(step_key(SALE, order.id), SALE, order.id).orders.add(order.id)
        moves = {}
        dests = defaultdict(set)
        for row in rows:
            moves[row["move_id"]] = row
            if row["dest_id"]:
                dests[row["move_id"]].add(row["dest_id"])
        step_of = {move_id: self._move_step(row) for move_id, row in moves.items()}
        received_lines = {row["purchase_line_id"] for row in moves.values() if row["purchase_line_id"]}

        def downstream_steps(move_id, seen):
            """Steps fed by a move, looking through moves that belong to no document."""
            for dest_id in dests.get(move_id, ()):
                if dest_id not in seen:
                    seen.add(dest_id)
                    if step_of.get(dest_id):
                        yield step_of[dest_id]
                    else:
                        yield from downstream_steps(dest_id, seen)

        for move_id, row in moves.items():
            key = step_of[move_id]
            if not key:
                continue
            model, res_id = key.split(",")
            chain.add(key, model, int(res_id)).moves.append(row)
            chain.edges |= {(key, down) for down in downstream_steps(move_id, {move_id}) if down != key}
            if row["order_id"] in orders.ids and (row["usage"] == "customer" or move_id not in dests):
                # the move that reaches the customer; or, while Odoo has not pushed the
                # next steps of a multi-step delivery yet, the last one known
                chain.edges.add((key, step_key(SALE, row["order_id"])))
                if row["usage"] != "customer":
                    chain.steps[key].tail_push_days = max(chain.steps[key].tail_push_days, row["push_delay"] or 0)
                    chain.steps[key].is_tail = True
            if row["purchase_line_id"]:
                line_key = step_key(PURCHASE_LINE, row["purchase_line_id"])
                chain.add(line_key, PURCHASE_LINE, row["purchase_line_id"]).moves.append(row)
                chain.edges.add((line_key, key))
            # a purchase line not received yet feeds the move that created it
            for line_id in set(row["rfq_line_ids"] or ()) - received_lines:
                line_key = step_key(PURCHASE_LINE, line_id)
                chain.add(line_key, PURCHASE_LINE, line_id)
                chain.edges.add((line_key, key))
        self._propagate_orders(chain)
        return chain

    @staticmethod
    def _propagate_orders(chain):
        """Every step serves the orders of the steps it feeds; count handovers to them."""
        outgoing = defaultdict(list)
        incoming = defaultdict(list)
        for up, down in chain.edges:
            outgoing[up].append(down)
            incoming[down].append(up)
        frontier = [key for key, step in chain.steps.items() if step.model == SALE]
        seen = set(frontier)
        while frontier:
            nxt = []
            for key in frontier:
                for up in incoming[key]:
                    chain.steps[up].orders |= chain.steps[key].orders
                    if up not in seen:
                        seen.add(up)
                        chain.steps[up].level = chain.steps[key].level + 1
                        nxt.append(up)
                    else:
                        chain.steps[up].level = min(chain.steps[up].level, chain.steps[key].level + 1)
            frontier = nxt

    # ------------------------------------------------------------------ the documents

    def _load_documents(self, chain, orders):
        """Kinds, owners, states and durations of every step, read in a few queries."""
        production_ids = [step.res_id for step in chain.steps.values() if step.model == PRODUCTION]
        line_ids = [step.res_id for step in chain.steps.values() if step.model == PURCHASE_LINE]
        workorders = defaultdict(list)
        if production_ids:
            self.env.cr.execute(self._workorders_query(production_ids))
            for row in self.env.cr.dictfetchall():
                workorders[row["production_id"]].append(row)
        purchase_lines = {}
        if line_ids:
            self.env.cr.execute(self._purchase_lines_query(line_ids))
            purchase_lines = {row["id"]: row for row in self.env.cr.dictfetchall()}
        company_ids = {order.company_id.id for order in orders}
        for row in (
            *(r for step in chain.steps.values() for r in step.moves[:1]),
            *purchase_lines.values(),
        ):
            company_ids.add(row.get("picking_company_id") or row.get("production_company_id") or row["company_id"])
        companies = {company.id: company for company in self.env["res.company"].sudo().browse(company_ids - {None})}
        for company in companies.values():
            if not company.resource_calendar_id:
                raise UserError(
                    _(
                        "The company %(company)s has no working calendar: set one in Settings > Companies "
                        "so that deadlines can be planned in working time.",
                        company=company.name,
                    )
                )
        orders_by_id = {order.id: order for order in orders.sudo()}
        for step in chain.steps.values():
            if step.model == SALE:
                self._load_customer(step, orders_by_id[step.res_id])
            elif step.model == PICKING:
                self._load_picking(step, companies, orders_by_id)
            elif step.model == PRODUCTION:
                self._load_production(step, companies, workorders[step.res_id])
            else:
                self._load_purchase_line(step, companies, purchase_lines[step.res_id])
        team_maps = {company_id: self.env["backward.team"]._backward_team_map(company_id) for company_id in companies}
        for step in chain.steps.values():
            step.team_id = team_maps.get(step.company_id, {}).get(step.user_id, 0)
        self._load_customer_done(chain)

    @staticmethod
    def _load_customer_done(chain):
        """A promise is kept when every delivery feeding it is done."""
        feeding = defaultdict(list)
        for up, down in chain.edges:
            feeding[down].append(chain.steps[up])
        for key, step in chain.steps.items():
            if step.model != SALE:
                continue
            deliveries = [upstream for upstream in feeding[key] if upstream.state != "cancel"]
            if deliveries and all(upstream.state == "done" for upstream in deliveries):
                step.state = "done"
                step.done_at = max(upstream.done_at for upstream in deliveries)

    @staticmethod
    def _company_calendar(company):
        return (company.resource_calendar_id.id, False)

    def _load_customer(self, step, order):
        step.kind = "customer"
        step.company_id = order.company_id.id
        step.name = order.name
        step.user_id = order.user_id.id
        step.partner_id = order.partner_id.id
        step.calendar_key = self._company_calendar(order.company_id)
        step.promise = order.commitment_date or order.expected_date
        if not step.promise:
            raise UserError(
                _(
                    "The sale order %(order)s has neither a delivery date nor an expected date: set its "
                    "Delivery Date (Other Info tab) so that its chain can be planned backward from it.",
                    order=order.name,
                )
            )

    def _load_picking(self, step, companies, orders_by_id):
        row = step.moves[0]
        company = companies[row["picking_company_id"]]
        step.company_id = company.id
        step.name = row["picking_name"]
        step.partner_id = row["picking_partner_id"] or 0
        step.calendar_key = self._company_calendar(company)
        to_customer = any(move["usage"] == "customer" for move in step.moves)
        code = row["picking_code"]
        step.kind = "delivery" if to_customer or code == "outgoing" else "receipt" if code == "incoming" else "transfer"
        days = max(move["rule_delay"] or 0 for move in step.moves)
        if step.kind == "delivery" or step.is_tail:
            days += company.security_lead
        if step.is_tail and step.kind != "delivery":
            # the steps Odoo will push after this one (pack, ship) are not documents yet
            days += step.tail_push_days
        step.segments = [("elapsed", step.calendar_key, days * 24)]
        order = next((orders_by_id[o] for o in sorted(step.orders) if o in orders_by_id), None)
        fallback = order.user_id.id if order and step.kind == "delivery" else 0
        step.user_id = row["picking_user_id"] or fallback
        self._set_document_state(step, row["picking_state"], done=row["picking_done"])
        step.document_planned = row["scheduled_date"]

    def _load_production(self, step, companies, workorders):
        row = step.moves[0]
        company = companies[row["production_company_id"]]
        step.kind = "production"
        step.company_id = company.id
        step.name = row["production_name"]
        step.product_id = row["production_product_id"]
        step.user_id = row["production_user_id"] or 0
        company_calendar = self._company_calendar(company)
        hours_per_day = company.resource_calendar_id.hours_per_day or 8.0
        segments = []
        if row["days_to_prepare_mo"]:
            segments.append(("work", company_calendar, row["days_to_prepare_mo"] * hours_per_day))
        for workorder in workorders:
            calendar_id = workorder["resource_calendar_id"] or company.resource_calendar_id.id
            segments.append(
                (
                    "work",
                    (calendar_id, workorder["resource_id"] or False),
                    workorder["duration_expected"] / 60.0,
                )
            )
        if not workorders:
            segments.append(("work", company_calendar, (row["produce_delay"] or 0) * hours_per_day))
        if company.manufacturing_lead:
            segments.append(("work", company_calendar, company.manufacturing_lead * hours_per_day))
        step.segments = segments
        step.calendar_key = segments[-1][1]
        if not row["bom_id"]:
            step.warning = _("No bill of materials: planned with no manufacturing time.")
        states = {
            "draft": "planned",
            "confirmed": "planned",
            "progress": "in_progress",
            "to_close": "in_progress",
        }
        state = row["production_state"]
        self._set_document_state(step, states.get(state, state), done=row["date_finished"])
        step.document_planned = row["date_finished"]
        if step.state == "in_progress":
            # started: the forward pass trusts its planned end rather than a fresh start
            step.started_at = row["date_start"]
            step.expected_finish = row["date_finished"]

    def _load_purchase_line(self, step, companies, line):
        company = companies[line["company_id"]]
        step.kind = "purchase"
        step.company_id = company.id
        step.name = f"{line['order_name']}: {line['default_code'] or line['product_name']}"
        step.product_id = line["product_id"]
        step.partner_id = line["partner_id"]
        step.user_id = line["user_id"] or 0
        step.calendar_key = self._company_calendar(company)
        step.purchase_id = line["order_id"]
        step.document_planned = line["date_planned"]
        if line["vendor_delay"] is None:
            step.warning = _("No vendor price list for this vendor: planned with no vendor lead time.")
        days = company.days_to_purchase + (line["vendor_delay"] or 0) + company.po_lead
        step.segments = [("elapsed", step.calendar_key, days * 24)]
        receipt_moves = [move for move in step.moves if move["purchase_line_id"] == step.res_id]
        if line["state"] == "cancel" or line["line_state"] == "cancel":
            step.state = "cancel"
        elif receipt_moves and all(move["state"] in ("done", "cancel") for move in receipt_moves):
            done = [move["date"] for move in receipt_moves if move["state"] == "done"]
            step.state = "done" if done else "cancel"
            step.done_at = max(done) if done else None
        elif line["state"] in ("purchase", "done"):
            # ordered: the vendor's expected arrival is the expectation to plan forward from
            step.state = "in_progress"
            step.started_at = line["date_approve"] or line["date_order"]
            step.expected_finish = line["date_planned"]

    @staticmethod
    def _set_document_state(step, state, done):
        if state == "cancel":
            step.state = "cancel"
        elif state == "done":
            step.state = "done"
            step.done_at = done
        elif state == "in_progress":
            step.state = "in_progress"
        else:
            step.state = "planned"

    # --------------------------------------------------------------------- planning

    def _outside_needs(self, links, existing, chain, orders):
        """Earliest (deadline, order) each step owes to orders outside this planning."""
        in_chain = {deadline.id: deadline.step_key for deadline in existing if deadline.step_key in chain.steps}
        caps = {}
        for link in links:
            if (
                link.state != "cancel"
                and link.upstream_id.id in in_chain
                and link.downstream_id.id not in in_chain
                and link.sale_order_id not in orders
                and link.date_deadline
            ):
                key = in_chain[link.upstream_id.id]
                need = (to_timestamp(link.date_deadline), link.sale_order_id.id)
                caps[key] = min(caps.get(key, need), need)
        return caps

    def _compute(self, chain, caps, now, projection=False):
        """Plan the active steps with the core; retry on a wider horizon when needed.

        ``projection``: the forward pass only, without buffers (see plan_forward).
        """
        active = {key: step for key, step in chain.steps.items() if step.state != "cancel"}
        edges = [(up, down) for up, down in sorted(chain.edges) if up in active and down in active]
        promises = [to_timestamp(step.promise) for step in active.values() if step.promise]
        low, high = min([now, *promises]), max([now, *promises])
        calendar_keys = {step.calendar_key for step in active.values()}
        calendar_keys |= {segment[1] for step in active.values() for segment in step.segments}
        companies = {
            company.id: company
            for company in self.env["res.company"].sudo().browse({s.company_id for s in active.values()})
        }
        granularity_of = {company_id: company.backward_granularity for company_id, company in companies.items()}
        granularity = min(granularity_of.values(), key=scheduling.GRANULARITIES.index) if granularity_of else "shift"
        for margin in HORIZON_MARGINS:
            first_day = (from_timestamp(low) - timedelta(days=margin)).date().replace(day=1)
            last_day = (from_timestamp(high) + timedelta(days=margin + 31)).date().replace(day=1) - timedelta(days=1)
            calendars = self.env["resource.calendar"]._backward_work_calendars(calendar_keys, first_day, last_day)
            core_steps, core_links = self._core_steps(active, edges, calendars, caps, companies)
            try:
                plan = None if projection else scheduling.plan_backward(core_steps, core_links, granularity)
                forward = scheduling.plan_forward(core_steps, core_links, granularity, now, with_buffers=not projection)
                return plan, forward, (core_steps, core_links, edges)
            except scheduling.HorizonError:
                continue
            except scheduling.CycleError as error:
                names = ", ".join(sorted(chain.steps[key].name for key in error.keys))
                raise UserError(
                    _(
                        "The documents of this order feed each other in a loop (%(steps)s): it cannot be planned.",
                        steps=names,
                    )
                ) from error
        raise UserError(
            _(
                "The chain is longer than %(days)s days of working time around its delivery date: "
                "check the lead times and working calendars of its products.",
                days=HORIZON_MARGINS[-1],
            )
        )

    def _core_steps(self, active, edges, calendars, caps, companies):
        core_steps = {}
        for key, step in active.items():
            segments = tuple(
                scheduling.work(calendars[calendar_key], hours)
                if kind == "work"
                else scheduling.elapsed(calendars[calendar_key], hours)
                for kind, calendar_key, hours in step.segments
            )
            core_steps[key] = scheduling.Step(
                key,
                calendars[step.calendar_key],
                segments,
                promise=to_timestamp(step.promise) if step.promise else None,
                done_at=to_timestamp(step.done_at) if step.done_at else None,
                started_at=to_timestamp(step.started_at) if step.started_at else None,
                expected_finish=to_timestamp(step.expected_finish) if step.expected_finish else None,
                cap=caps[key][0] if key in caps else None,
            )
        core_links = []
        for up, down in edges:
            upstream = active[up]
            kind = LINK_KIND_BY_STEP[upstream.kind]
            percent, hours = companies[upstream.company_id]._backward_buffer(kind)
            buffer = scheduling.buffer_seconds(core_steps[up].seconds, percent, hours)
            core_links.append(scheduling.Link(up, down, buffer))
        return core_steps, core_links

    # ---------------------------------------------------------------------- writing

    def _write_plan(self, chain, orders, existing, links, plan, forward, core, now, reason, caps):
        core_steps, core_links, _edges = core
        Deadline = self.env["backward.deadline"].sudo()
        existing_by_key = {deadline.step_key: deadline for deadline in existing}
        driving_orders = self._driving_orders(chain, plan, core_links, caps)
        deadline_vals = {
            key: self._deadline_vals(step, plan, forward, core_steps, core_links, now, driving_orders[key])
            for key, step in chain.steps.items()
        }
        # 1. deadlines: create the new, update the changed, cancel the vanished
        to_create = [
            dict(
                vals,
                step_key=key,
                date_document_planned=chain.steps[key].document_planned or False,
                date_document_reference=vals["date_deadline"],
            )
            for key, vals in deadline_vals.items()
            if key not in existing_by_key
        ]
        created = Deadline.create(to_create)
        deadline_of = dict(existing_by_key)
        deadline_of.update(zip((vals["step_key"] for vals in to_create), created, strict=True))
        changes = {}
        updates = {}
        for key, record in existing_by_key.items():
            if key not in deadline_vals:
                continue
            vals = deadline_vals[key]
            old = {fname: self._comparable_value(Deadline, fname, record[fname]) for fname in DEADLINE_FIELDS}
            if old != self._comparable(Deadline, vals, DEADLINE_FIELDS):
                updates[record.id] = vals
                if (record.date_deadline, record.date_start_deadline) != (
                    vals["date_deadline"],
                    vals["date_start_deadline"],
                ):
                    changes[key] = (record.date_deadline, record.date_start_deadline)
        # steps that left this chain: cancelled, unless another order still needs them
        gone = existing.filtered(lambda d: d.step_key not in chain.steps and d.state != "cancel")
        shared = gone.filtered(lambda d: d.sale_order_ids - orders)
        vanished = gone - shared
        for deadline in vanished:
            updates[deadline.id] = dict({fname: deadline[fname] for fname in DEADLINE_FIELDS}, state="cancel")
        self._bulk_update(Deadline, updates, DEADLINE_FIELDS)
        self._set_orders_served(deadline_of, chain, orders)
        # 2. links, and each step's parent (the step it feeds most urgently)
        chain_deadline_ids = self._write_links(
            chain, deadline_of, links, plan, core_links, now, driving_orders, orders, gone
        )
        # a re-plan: the watch reads the documents' reality and judges the links at once;
        # a first plan is new on both sides and left to the next pass of the watch
        if any(step_key(SALE, order.id) in existing_by_key for order in orders):
            watch = self.env["backward.watch"]
            watch._mark_projections(watch._evaluate_deadlines(chain_deadline_ids))
            watch._evaluate_links(self._chain_link_ids(chain_deadline_ids))
        # 3. the orders' own summary, and the chatter of the documents that moved
        changed_orders = set(vanished.sale_order_ids.ids)
        for key in set(changes) | {vals["step_key"] for vals in to_create}:
            changed_orders |= chain.steps[key].orders
        self._write_orders(chain, orders, plan, forward, now, changed_orders, driving_orders)
        self._post_changes(chain, changes, deadline_vals, reason)
        self._notify_cancelled(vanished, orders)
        self._invalidate_documents()
        others = (shared.sale_order_ids - orders).filtered(lambda order: order.state == "sale")
        if others:
            # their shared steps may have been driven by the orders just planned
            others._backward_plan_quietly(reason)

    def _deadline_vals(self, step, plan, forward, core_steps, core_links, now, order_id):
        dates = plan.steps.get(step.key)
        earliest = forward.get(step.key)
        core_step = core_steps.get(step.key)
        driving = dates.driving_link if dates else None
        buffer_hours = core_links[driving].buffer_seconds / HOUR if driving is not None else 0.0
        not_started = step.state == "planned"
        start = dates.start if dates else None
        return {
            "name": step.name,
            "kind": step.kind,
            "sale_order_id": order_id,
            "production_id": step.res_id if step.model == PRODUCTION else False,
            "purchase_line_id": step.res_id if step.model == PURCHASE_LINE else False,
            "purchase_id": step.purchase_id or False,
            "picking_id": step.res_id if step.model == PICKING else False,
            "product_id": step.product_id or False,
            "partner_id": step.partner_id or False,
            "date_deadline": from_timestamp(dates.finish) if dates else False,
            "date_start_deadline": from_timestamp(start) if start is not None else False,
            "date_earliest_start": from_timestamp(earliest.start) if earliest else False,
            "date_earliest_finish": from_timestamp(earliest.finish) if earliest else False,
            "date_done": step.done_at or False,
            "duration_hours": round(core_step.seconds / HOUR, 4) if core_step else 0.0,
            "buffer_hours": round(buffer_hours, 4),
            "calendar_id": step.calendar_key[0] if step.calendar_key else False,
            "level": step.level,
            "warning": step.warning or False,
            "user_id": step.user_id or False,
            "team_id": step.team_id or False,
            "state": step.state,
            "is_start_past": bool(not_started and start is not None and start < now),
            "company_id": step.company_id,
        }

    @staticmethod
    def _driving_orders(chain, plan, core_links, caps):
        """The order of each step's most urgent need: the one its driving link serves."""
        result = {}

        def order_of(key, depth=0):
            if key in result:
                return result[key]
            step = chain.steps[key]
            dates = plan.steps.get(key)
            if step.model == SALE:
                order_id = step.res_id
            elif dates is not None and dates.driving_link is not None and depth < len(chain.steps):
                order_id = order_of(core_links[dates.driving_link].downstream, depth + 1)
            elif key in caps:
                order_id = caps[key][1]
            else:
                order_id = min(step.orders) if step.orders else False
            result[key] = order_id
            return order_id

        for key in chain.steps:
            order_of(key)
        return result

    def _comparable(self, model, vals, fnames):
        return {fname: self._comparable_value(model, fname, vals.get(fname)) for fname in fnames}

    @staticmethod
    def _comparable_value(model, fname, value):
        """Record values and planned values in one form, to tell what really changed."""
        field_ = model._fields.get(fname)
        if field_ is None:
            return value
        if field_.type == "many2one":
            return value.id if isinstance(value, models.BaseModel) else (value or False)
        if field_.type == "float":
            return round(value or 0.0, 4)
        if field_.type == "datetime":
            return value or False
        if field_.type in ("char", "selection"):
            return value or False
        return value

    def _bulk_update(self, model, updates, fnames):
        """Write differing values to many records in one UPDATE ... FROM (VALUES ...)."""
        if not updates:
            return
        fnames = [fname for fname in fnames if fname in model._fields]
        columns = [(fname, model._fields[fname].column_type[1]) for fname in fnames]
        rows = []
        for record_id, vals in updates.items():
            values = [SQL("%s::int4", record_id)]
            for fname, column_type in columns:
                value = self._comparable_value(model, fname, vals.get(fname))
                if value is False and model._fields[fname].type not in ("boolean",):
                    value = None
                values.append(SQL(f"%s::{column_type}", value))
            rows.append(SQL("(%s)", SQL(", ").join(values)))
        assignments = SQL(", ").join(
            SQL("%s = v.%s", SQL.identifier(fname), SQL.identifier(fname)) for fname, _type in columns
        )
        self.env.cr.execute(
            SQL(
                "UPDATE %s AS t SET %s, write_uid = %s, write_date = (now() at time zone 'UTC') "
                "FROM (VALUES %s) AS v(id, %s) WHERE t.id = v.id",
                SQL.identifier(model._table),
                assignments,
                self.env.uid,
                SQL(", ").join(rows),
                SQL(", ").join(SQL.identifier(fname) for fname, _type in columns),
            )
        )
        model.browse(list(updates)).invalidate_recordset([*fnames, "write_date", "write_uid"])

    def _set_orders_served(self, deadline_of, chain, orders):
        """Each deadline serves the planned orders of its chain; other orders are kept.

        One query: the pairs no longer wanted are deleted, the wanted ones inserted.
        """
        pairs = sorted(
            {(deadline_of[key].id, order_id) for key, step in chain.steps.items() for order_id in step.orders}
        )
        self.env.cr.execute(
            SQL(
                """
                WITH wanted AS (
                    SELECT * FROM unnest(%(deadlines)s::int4[], %(orders)s::int4[]) AS w(deadline_id, order_id)
                ), removed AS (
                    DELETE FROM backward_deadline_sale_order_rel rel
                     WHERE rel.deadline_id = ANY(%(all_deadlines)s)
                       AND rel.order_id = ANY(%(planned_orders)s)
                       AND NOT EXISTS (SELECT 1 FROM wanted
                                        WHERE wanted.deadline_id = rel.deadline_id
                                          AND wanted.order_id = rel.order_id)
                )
                INSERT INTO backward_deadline_sale_order_rel (deadline_id, order_id)
                SELECT deadline_id, order_id FROM wanted
                ON CONFLICT DO NOTHING
                """,
                deadlines=[pair[0] for pair in pairs],
                orders=[pair[1] for pair in pairs],
                all_deadlines=[deadline.id for deadline in deadline_of.values()],
                planned_orders=orders.ids,
            )
        )
        self.env["backward.deadline"].browse([d.id for d in deadline_of.values()]).invalidate_recordset(
            ["sale_order_ids"]
        )
        orders.invalidate_recordset(["backward_deadline_ids"])

    def _write_links(self, chain, deadline_of, links, plan, core_links, now, driving_orders, orders, gone):
        Link = self.env["backward.link"].sudo()
        in_chain = {deadline_of[key].id for key in chain.steps}
        gone_ids = set(gone.ids)
        # this chain's links, and those of the planned orders or of steps that left the
        # chain (cancelled when not wanted any more); other orders' links are theirs
        existing_by_pair = {
            (link.upstream_id.id, link.downstream_id.id): link
            for link in links
            if link.downstream_id.id in in_chain
            or link.sale_order_id in orders
            or {link.upstream_id.id, link.downstream_id.id} & gone_ids
        }
        index_of = {(link.upstream, link.downstream): index for index, link in enumerate(core_links)}
        wanted = {}
        parents = {}
        for up, down in sorted(chain.edges):
            upstream, downstream = chain.steps[up], chain.steps[down]
            index = index_of.get((up, down))
            link_dates = plan.links[index] if index is not None else None
            step_dates = plan.steps.get(up)
            pair = (deadline_of[up].id, deadline_of[down].id)
            if index is None or upstream.state == "cancel" or downstream.state == "cancel":
                state = "cancel"
            else:
                # the watch judges open, at risk, late and handed over from reality
                current = existing_by_pair.get(pair)
                state = current.state if current and current.state != "cancel" else "open"
            is_driving = bool(step_dates and step_dates.driving_link == index and index is not None)
            if is_driving:
                parents[deadline_of[up].id] = deadline_of[down].id
            wanted[pair] = {
                "name": f"{upstream.name} → {downstream.name}",
                "upstream_id": deadline_of[up].id,
                "downstream_id": deadline_of[down].id,
                "kind": LINK_KIND_BY_STEP.get(upstream.kind, "transfer"),
                "sale_order_id": driving_orders[down] or False,
                "date_deadline": from_timestamp(link_dates.deadline) if link_dates else False,
                "date_need": from_timestamp(plan.steps[down].start) if down in plan.steps else False,
                "buffer_hours": round(core_links[index].buffer_seconds / HOUR, 4) if index is not None else 0.0,
                "slack_hours": round(link_dates.slack_seconds / HOUR, 4) if link_dates else 0.0,
                "is_driving": is_driving,
                "state": state,
                "vendor_id": upstream.partner_id if upstream.kind == "purchase" and upstream.partner_id else False,
                "upstream_user_id": upstream.user_id or False,
                "downstream_user_id": downstream.user_id or False,
                "upstream_team_id": upstream.team_id or False,
                "downstream_team_id": downstream.team_id or False,
                "company_id": upstream.company_id,
            }
        to_create = [vals for pair, vals in wanted.items() if pair not in existing_by_pair]
        Link.with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True).create(to_create)
        updates = {}
        for pair, link in existing_by_pair.items():
            vals = wanted.get(pair)
            if vals is None:
                if link.state == "cancel":
                    continue
                vals = dict({fname: link[fname] for fname in LINK_FIELDS}, state="cancel")
            old = {fname: self._comparable_value(Link, fname, link[fname]) for fname in LINK_FIELDS}
            new = {fname: self._comparable_value(Link, fname, vals.get(fname)) for fname in LINK_FIELDS}
            if old != new:
                updates[link.id] = vals
        self._bulk_update(Link, updates, LINK_FIELDS)
        # a step whose most urgent need is another order's keeps the parent that order gave it
        outside = {
            key for key, dates in plan.steps.items() if dates.driving_link is None and chain.steps[key].model != SALE
        }
        self._set_parents(deadline_of, chain, parents, outside)
        return list(in_chain)

    def _chain_link_ids(self, deadline_ids):
        self.env.cr.execute(
            SQL(
                "SELECT id FROM backward_link WHERE state != 'cancel' "
                "AND (downstream_id = ANY(%(ids)s) OR upstream_id = ANY(%(ids)s))",
                ids=deadline_ids,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _set_parents(self, deadline_of, chain, parents, outside=()):
        """Point each deadline at the step it feeds most urgently (the chain's tree)."""
        deadlines = [deadline_of[key] for key in chain.steps if key not in outside]
        if all(deadline.parent_id.id == parents.get(deadline.id, False) for deadline in deadlines):
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE backward_deadline AS t SET parent_id = v.parent_id
                  FROM (SELECT unnest(%s::int4[]) AS id, unnest(%s::int4[]) AS parent_id) AS v
                 WHERE t.id = v.id AND t.parent_id IS DISTINCT FROM v.parent_id
                """,
                [deadline.id for deadline in deadlines],
                [parents.get(deadline.id) for deadline in deadlines],
            )
        )
        self.env["backward.deadline"].browse([d.id for d in deadlines]).invalidate_recordset(["parent_id", "child_ids"])

    def _write_orders(self, chain, orders, plan, forward, now, changed_orders, driving_orders):
        """Feasibility and agreement of each order; a changed plan must be agreed again.

        An order is infeasible when its own earliest delivery is after its promise, or
        when a step it drives should already have started: a shared step late for a more
        urgent order does not make a relaxed order infeasible.
        """
        for order in orders.sudo():
            key = step_key(SALE, order.id)
            promise = chain.steps[key].promise
            earliest = forward.get(key)
            earliest_date = from_timestamp(earliest.finish) if earliest else False
            lateness = max((earliest_date - promise).total_seconds() / HOUR, 0.0) if earliest_date else 0.0
            past_starts = [
                step.key
                for step in chain.steps.values()
                if driving_orders.get(step.key) == order.id
                and step.state == "planned"
                and step.key in plan.steps
                and plan.steps[step.key].start < now
            ]
            vals = {
                "backward_projection_pending": True,
                "backward_planned_on": fields.Datetime.now(),
                "backward_earliest_date": earliest_date,
                "backward_lateness_hours": round(lateness, 2),
                "backward_is_feasible": not past_starts and lateness <= 0,
                "backward_plan_warning": False,
            }
            if order.backward_plan_state in (False, "none"):
                vals["backward_plan_state"] = "proposed"
            elif order.backward_plan_state == "agreed" and order.id in changed_orders:
                vals.update(order._backward_agreement_reset_vals())
            order._backward_write(vals)

    def _post_changes(self, chain, changes, deadline_vals, reason):
        """Tell each document whose deadlines moved, one message per document."""
        bodies = defaultdict(dict)
        lines = defaultdict(list)
        purchase_line_ids = [chain.steps[key].res_id for key in changes if chain.steps[key].model == PURCHASE_LINE]
        order_of_line = {line.id: line.order_id.id for line in self.env[PURCHASE_LINE].sudo().browse(purchase_line_ids)}
        for key, (old_deadline, old_start) in changes.items():
            step = chain.steps[key]
            vals = deadline_vals[key]
            if step.model == PURCHASE_LINE:
                model, res_id = "purchase.order", order_of_line[step.res_id]
            else:
                model, res_id = step.model, step.res_id
            lines[(model, res_id)].append(
                Markup("<li>%s</li>")
                % _(
                    "%(step)s: deadline %(new)s (was %(old)s), start by %(new_start)s (was %(old_start)s)",
                    step=step.name,
                    new=self._format(vals["date_deadline"]),
                    old=self._format(old_deadline),
                    new_start=self._format(vals["date_start_deadline"]),
                    old_start=self._format(old_start),
                )
            )
        for (model, res_id), items in lines.items():
            bodies[model][res_id] = Markup("<p>%s</p><ul>%s</ul>") % (
                _("Backward plan changed: %(reason)s", reason=reason),
                Markup("").join(items),
            )
        for model, model_bodies in bodies.items():
            self.env[model].sudo().browse(list(model_bodies))._message_log_batch(model_bodies)

    def _format(self, moment):
        if not moment:
            return _("none")
        return format_datetime(self.env, moment, tz=self.env.user.tz or "UTC", dt_format="short")
