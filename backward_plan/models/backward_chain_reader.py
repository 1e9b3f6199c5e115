"""Read the chain Odoo created for sale orders: its documents, their states and durations.

1. ``_walk_moves``: one recursive query follows the stock moves upstream from the order
   lines (move origins, manufacturing orders' components, purchase lines);
2. ``scheduling.chain.build_graph``: moves become steps and handovers;
3. ``_load_documents``: the documents, in a few queries; their durations from the
   lead-time hook (``backward.lead.time``) and ``scheduling.leadtime``; their states from
   ``scheduling.states``.
"""

from collections import defaultdict

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..scheduling import chain as chains
from ..scheduling import leadtime, states
from ..scheduling.chain import PICKING, PRODUCTION, PURCHASE_LINE, SALE, start_set_by_hand
from .query_plans import without_jit

OWNER_SOURCES = [
    ("document", "Responsible of the document"),
    ("workcenter", "Owner of the work center"),
    ("team", "Manager of the work center's team"),
    ("manager", "Manufacturing manager"),
]


class BackwardChainReader(models.AbstractModel):
    _name = "backward.chain.reader"
    _description = "Backward Management Chain Reader"

    @api.model
    def _read_chain(self, orders):
        """The :class:`Chain` of ``orders`` (confirmed), its steps loaded with their facts."""
        chain = chains.build_graph(orders.ids, self._walk_moves(orders.ids))
        self._load_documents(chain, orders)
        return chain

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
                   move.company_id, move.rule_id, move.product_id, move.location_id,
                   move.warehouse_id, location.usage, line.order_id, 0 AS push_delay,
                   ARRAY(SELECT rel.created_purchase_line_id
                           FROM stock_move_created_purchase_line_rel rel
                          WHERE rel.move_id = move.id) AS rfq_line_ids,
                   picking.name AS picking_name, picking.state AS picking_state,
                   picking.scheduled_date, picking.date_done AS picking_done,
                   picking.user_id AS picking_user_id, picking.company_id AS picking_company_id,
                   picking.partner_id AS picking_partner_id, picking_type.code AS picking_code,
                   picking_type.warehouse_id AS picking_warehouse_id,
                   production.name AS production_name, production.state AS production_state,
                   production.user_id AS production_user_id, production.date_start,
                   production.backward_start_written AS production_start_written,
                   production.date_finished, production.company_id AS production_company_id,
                   production.product_id AS production_product_id, production.bom_id,
                   production.reservation_state,
                   production_type.warehouse_id AS production_warehouse_id
              FROM walk
              JOIN stock_move move ON move.id = walk.move_id
              JOIN stock_location location ON location.id = move.location_dest_id
              LEFT JOIN sale_order_line line ON line.id = move.sale_line_id
              LEFT JOIN stock_picking picking ON picking.id = move.picking_id
              LEFT JOIN stock_picking_type picking_type ON picking_type.id = picking.picking_type_id
              LEFT JOIN mrp_production production
                ON production.id = COALESCE(move.production_id, move.raw_material_production_id)
              LEFT JOIN stock_picking_type production_type ON production_type.id = production.picking_type_id
            """,
            order_ids=list(order_ids),
        )

    def _walk_moves(self, order_ids):
        with without_jit(self.env.cr):
            self.env.cr.execute(self._walk_moves_query(order_ids))
            return self.env.cr.dictfetchall()

    def _workorders_query(self, production_ids):
        """Work orders of the manufacturing orders, in their order, with their work centers."""
        return SQL(
            """
            SELECT workorder.id, workorder.production_id, workorder.duration_expected, workorder.duration,
                   workorder.state, workcenter.resource_calendar_id, workcenter.resource_id,
                   workorder.workcenter_id, workorder.date_start, workorder.date_finished,
                   workcenter.backward_owner_id, team.manager_id AS team_manager_id %(columns)s
              FROM mrp_workorder workorder
              JOIN mrp_workcenter workcenter ON workcenter.id = workorder.workcenter_id
              LEFT JOIN backward_team team ON team.id = workcenter.backward_team_id
             WHERE workorder.production_id = ANY(%(production_ids)s)
             ORDER BY workorder.production_id, workorder.sequence, workorder.id
            """,
            production_ids=list(production_ids),
            columns=SQL("").join(SQL(", workorder.%s", SQL.identifier(column)) for column in self._workorder_columns()),
        )

    def _workorder_columns(self):
        """Columns of ``mrp_workorder`` read with each work order (hook: the layers above
        read their own)."""
        return []

    def _workorders(self, production_ids):
        result = defaultdict(list)
        if production_ids:
            self.env.cr.execute(self._workorders_query(production_ids))
            for row in self.env.cr.dictfetchall():
                result[row["production_id"]].append(row)
        return result

    def _purchase_lines_query(self, line_ids):
        """Purchase lines with their order, product and receipt moves (counted by state)."""
        return SQL(
            """
            SELECT line.id, line.order_id, line.date_planned, line.company_id, line.product_id,
                   line.product_qty, line.product_uom, line.state AS line_state,
                   purchase.name AS order_name, purchase.state, purchase.user_id, purchase.partner_id,
                   purchase.date_approve, purchase.date_order, picking_type.warehouse_id,
                   product.default_code,
                   COALESCE(template.name->>%(lang)s, template.name->>'en_US') AS product_name,
                   moves.open AS moves_open, moves.done AS moves_done, moves.cancelled AS moves_cancelled,
                   moves.done_at
              FROM purchase_order_line line
              JOIN purchase_order purchase ON purchase.id = line.order_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
              LEFT JOIN stock_picking_type picking_type ON picking_type.id = purchase.picking_type_id
              LEFT JOIN LATERAL (
                    SELECT count(*) FILTER (WHERE move.state NOT IN ('done', 'cancel')) AS open,
                           count(*) FILTER (WHERE move.state = 'done') AS done,
                           count(*) FILTER (WHERE move.state = 'cancel') AS cancelled,
                           max(move.date) FILTER (WHERE move.state = 'done') AS done_at
                      FROM stock_move move
                     WHERE move.purchase_line_id = line.id
              ) moves ON TRUE
             WHERE line.id = ANY(%(line_ids)s)
            """,
            line_ids=list(line_ids),
            lang=self.env.lang or "en_US",
        )

    def _purchase_lines(self, line_ids):
        if not line_ids:
            return {}
        self.env.cr.execute(self._purchase_lines_query(line_ids))
        return {row["id"]: row for row in self.env.cr.dictfetchall()}

    # ------------------------------------------------------------------ the documents

    def _load_documents(self, chain, orders):
        """Kinds, owners, states and durations of every step, read in a few queries."""
        production_ids = [step.res_id for step in chain.steps.values() if step.model == PRODUCTION]
        line_ids = [step.res_id for step in chain.steps.values() if step.model == PURCHASE_LINE]
        workorders = self._workorders(production_ids)
        purchase_lines = self._purchase_lines(line_ids)
        companies = self._companies(chain, orders, purchase_lines)
        orders_by_id = {order.id: order for order in orders}
        for step in chain.steps.values():
            if step.model == SALE:
                self._load_customer(step, orders_by_id[step.res_id])
            elif step.model == PICKING:
                self._load_picking(step, companies, orders_by_id)
        self._load_productions(chain, companies, workorders)
        self._load_purchase_lines(chain, companies, purchase_lines)
        team_maps = {company_id: self.env["backward.team"]._backward_team_map(company_id) for company_id in companies}
        for step in chain.steps.values():
            step.team_id = team_maps.get(step.company_id, {}).get(step.user_id, 0)
        chains.customer_done(chain)

    def _companies(self, chain, orders, purchase_lines):
        company_ids = {order.company_id.id for order in orders}
        for row in (*(r for step in chain.steps.values() for r in step.moves[:1]), *purchase_lines.values()):
            company_ids.add(row.get("picking_company_id") or row.get("production_company_id") or row["company_id"])
        companies = {company.id: company for company in self.env["res.company"].browse(company_ids - {None})}
        for company in companies.values():
            if not company.resource_calendar_id:
                raise UserError(
                    _(
                        "The company %(company)s has no working calendar: set one in Settings > Companies "
                        "so that deadlines can be planned in working time.",
                        company=company.name,
                    )
                )
        return companies

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
        lead_time = self.env["backward.lead.time"]
        step.company_id = company.id
        step.name = row["picking_name"]
        step.partner_id = row["picking_partner_id"] or 0
        step.calendar_key = self._company_calendar(company)
        to_customer = any(move["usage"] == "customer" for move in step.moves)
        code = row["picking_code"]
        step.kind = "delivery" if to_customer or code == "outgoing" else "receipt" if code == "incoming" else "transfer"
        rule_days = max(
            (
                lead_time._cached_rule_days(move["rule_id"], move["product_id"])
                for move in step.moves
                if move["rule_id"]
            ),
            default=0.0,
        )
        security = company.security_lead if step.kind == "delivery" or step.is_tail else 0.0
        push = 0.0
        warehouse_id = row["picking_warehouse_id"] or row["warehouse_id"]
        if step.is_tail and step.kind != "delivery" and warehouse_id:
            # the steps Odoo will push after this one (pack, ship) are not documents yet
            push = lead_time._cached_push_days(warehouse_id, row["location_id"])
        step.segments = leadtime.transfer_segments(step.calendar_key, rule_days, security, push)
        order = next((orders_by_id[o] for o in sorted(step.orders) if o in orders_by_id), None)
        fallback = order.user_id.id if order and step.kind == "delivery" else 0
        step.user_id = row["picking_user_id"] or fallback
        step.state = states.picking_state(row["picking_state"])
        step.done_at = row["picking_done"] if step.state == states.DONE else None
        step.document_planned = row["scheduled_date"]

    def _load_productions(self, chain, companies, workorders):
        lead_time = self.env["backward.lead.time"]
        steps = [step for step in chain.steps.values() if step.model == PRODUCTION]
        placeable = []  # their work orders could be placed on the work centers
        for step in steps:
            row = step.moves[0]
            company = companies[row["production_company_id"]]
            step.kind = "production"
            step.company_id = company.id
            step.name = row["production_name"]
            step.product_id = row["production_product_id"]
            operations = [
                (
                    (order["resource_calendar_id"] or company.resource_calendar_id.id, order["resource_id"] or False),
                    order["duration_expected"],
                )
                for order in workorders[step.res_id]
            ]
            facts = lead_time._cached_production_facts(
                row["production_product_id"], row["bom_id"], row["production_warehouse_id"], company.id, operations
            )
            step.segments = leadtime.production_segments(facts)
            step.calendar_key = step.segments[-1][1]
            step.state = states.production_state(row["production_state"])
            if step.state == states.PLANNED and start_set_by_hand(row["date_start"], row["production_start_written"]):
                # the planner's start: kept, and the plan starts from it (never placed)
                step.set_start = row["date_start"]
            if operations and not step.set_start:
                first = 1 if facts.prepare_days else 0
                step.operations_span = (first, first + len(operations))
                placeable.append(step)
            if not row["bom_id"]:
                step.warning = _("No bill of materials: planned with no manufacturing time.")
            step.user_id, step.owner_source = self._production_owner(row, workorders[step.res_id], company)
            step.done_at = row["date_finished"] if step.state == states.DONE else None
            step.document_planned = row["date_finished"]
            if step.state == states.IN_PROGRESS:
                step.started_at = row["date_start"]
                step.remaining = self._remaining(workorders[step.res_id], company)
        self._attach_capacity(placeable, companies, workorders)

    def _attach_capacity(self, steps, companies, workorders):
        """Productions whose work orders could be placed on their work centers (hook: with
        infinite capacity none is; the steps keep no ``capacity_operations``)."""

    @staticmethod
    def _remaining(workorders, company):
        """(calendar key, minutes left) of the work orders not finished yet."""
        return [
            (
                (order["resource_calendar_id"] or company.resource_calendar_id.id, order["resource_id"] or False),
                max((order["duration_expected"] or 0.0) - (order["duration"] or 0.0), 0.0),
            )
            for order in workorders
            if order["state"] not in ("done", "cancel")
        ]

    def _production_owner(self, row, workorders, company):
        """(user id, source) of a manufacturing order: its responsible, else the last work
        center's owner, else that work center's team manager, else the manufacturing manager."""
        if row["production_user_id"]:
            return row["production_user_id"], "document"
        for workorder in reversed(workorders):
            if workorder["backward_owner_id"]:
                return workorder["backward_owner_id"], "workcenter"
            if workorder["team_manager_id"]:
                return workorder["team_manager_id"], "team"
        manager_id = company._backward_production_manager_id()
        return (manager_id, "manager") if manager_id else (0, "")

    def _load_purchase_lines(self, chain, companies, purchase_lines):
        lead_time = self.env["backward.lead.time"]
        steps = [step for step in chain.steps.values() if step.model == PURCHASE_LINE]
        for step in steps:
            row = purchase_lines[step.res_id]
            company = companies[row["company_id"]]
            step.kind = "purchase"
            step.company_id = company.id
            step.name = f"{row['order_name']}: {row['default_code'] or row['product_name']}"
            step.product_id = row["product_id"]
            step.partner_id = row["partner_id"]
            step.user_id = row["user_id"] or 0
            step.calendar_key = self._company_calendar(company)
            step.purchase_id = row["order_id"]
            step.document_planned = row["date_planned"]
            days, step.warning = lead_time._cached_purchase_days(
                row["product_id"],
                row["partner_id"],
                row["product_qty"],
                row["product_uom"],
                row["date_order"].date(),
                row["warehouse_id"] or False,
                company.id,
            )
            step.segments = leadtime.purchase_segments(step.calendar_key, vendor_days=days)
            step.state = states.purchase_line_state(
                row["state"], row["line_state"], row["moves_open"], row["moves_done"], row["moves_cancelled"]
            )
            step.done_at = row["done_at"] if step.state == states.DONE else None
            if step.state == states.IN_PROGRESS:
                step.started_at = row["date_approve"] or row["date_order"]
