"""Write a plan: deadlines and links in bulk, the watch told, the chatter of what moved.

Only what changed is written (one statement per table), never a query per record; a
re-plan is judged by the watch at once, with the same engine as its scheduled passes.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from .. import scheduling
from ..scheduling import HOUR, from_timestamp
from ..scheduling import chain as chains
from ..scheduling.chain import LINK_KIND_BY_STEP, PICKING, PRODUCTION, PURCHASE_LINE, SALE, step_key
from ..scheduling.leadtime import encode

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
    "segments",
    "buffer_hours",
    "calendar_id",
    "level",
    "warning",
    "user_id",
    "owner_source",
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


class BackwardPlanWriter(models.AbstractModel):
    _name = "backward.plan.writer"
    _description = "Backward Management Plan Writer"

    @api.model
    def _existing(self, chain, orders):
        """The deadlines and links already written for this chain or these orders."""
        existing = self.env["backward.deadline"].search_fetch(
            ["|", ("step_key", "in", list(chain.steps)), ("sale_order_ids", "in", orders.ids)],
            [*DEADLINE_FIELDS, "step_key", "parent_id", "date_deadline_baseline", "date_document_planned"],
        )
        links = self.env["backward.link"].search_fetch(
            ["|", ("upstream_id", "in", existing.ids), ("downstream_id", "in", existing.ids)],
            [*LINK_FIELDS, "upstream_id", "downstream_id", *self._link_fetch_fields()],
        )
        return existing, links

    def _link_fetch_fields(self):
        """Fields of the links read with them for a planning (hook: the layers above read
        their own, e.g. the handovers agreed by re-promise)."""
        return []

    def _write_plan(self, chain, orders, existing, links, plan, forward, core, now, reason, caps, keep_agreement=False):
        core_steps, core_links, _edges, calendars = core
        Deadline = self.env["backward.deadline"]
        existing_by_key = {deadline.step_key: deadline for deadline in existing}
        driving_orders = chains.driving_orders(chain, plan, core_links, caps)
        bulk = self.env["backward.bulk.writer"]
        deadline_vals = {
            key: self._deadline_vals(step, plan, forward, core_steps, core_links, now, driving_orders[key])
            for key, step in chain.steps.items()
        }
        # 1. deadlines: create the new, update the changed, cancel the vanished
        to_create = [
            # the document's own date when first planned: how far it moves from it is its slip
            dict(vals, step_key=key, date_document_planned=chain.steps[key].document_planned or False)
            for key, vals in deadline_vals.items()
            if key not in existing_by_key
        ]
        created = Deadline.create(to_create)
        deadline_of = dict(existing_by_key)
        deadline_of.update(zip((vals["step_key"] for vals in to_create), created, strict=True))
        changes = {}
        updates = {}
        changed_fields = set()
        for key, record in existing_by_key.items():
            if key not in deadline_vals:
                continue
            vals = deadline_vals[key]
            old = {fname: bulk._comparable_value(Deadline, fname, record[fname]) for fname in DEADLINE_FIELDS}
            new = bulk._comparable(Deadline, vals, DEADLINE_FIELDS)
            if old != new:
                updates[record.id] = vals
                changed_fields |= {fname for fname in DEADLINE_FIELDS if old[fname] != new[fname]}
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
            changed_fields.add("state")
        bulk._bulk_update(Deadline, updates, DEADLINE_FIELDS, changed_fields)
        self._set_orders_served(deadline_of, chain, orders)
        # 2. links, and each step's parent (the step it feeds most urgently)
        chain_deadline_ids = self._write_links(
            chain, deadline_of, links, plan, core_links, now, driving_orders, orders, gone
        )
        is_replan = any(step_key(SALE, order.id) in existing_by_key for order in orders)
        self._links_written(chain_deadline_ids, calendars, is_replan)
        # 3. the orders' own summary, and the chatter of the documents that moved
        changed_orders = set(vanished.sale_order_ids.ids)
        for key in set(changes) | {vals["step_key"] for vals in to_create}:
            changed_orders |= chain.steps[key].orders
        self._write_orders(
            chain, orders, plan, forward, core_steps, now, changed_orders, driving_orders, keep_agreement
        )
        notifier = self.env["backward.notifier"]
        notifier._tell_plan_changes(chain, changes, deadline_vals, reason)
        notifier._tell_cancelled(vanished, orders)
        self._invalidate_documents()
        others = (shared.sale_order_ids - orders).filtered(lambda order: order.state == "sale")
        if others:
            # their shared steps may have been driven by the orders just planned
            others._backward_plan_quietly(reason)

    def _links_written(self, deadline_ids, calendars, is_replan):
        """The deadlines ``deadline_ids`` of a chain and their links are written (hook: a
        layer above judges them, e.g. the watch on a re-plan)."""

    def _order_plan_vals(self, order):
        """Values written on each planned order beside its verdict (hook)."""
        return {}

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
            "segments": encode(step.segments) if step.segments else False,
            "buffer_hours": round(buffer_hours, 4),
            "calendar_id": step.calendar_key[0] if step.calendar_key else False,
            "level": step.level,
            "warning": step.warning or False,
            "user_id": step.user_id or False,
            "owner_source": step.owner_source or False,
            "team_id": step.team_id or False,
            "state": step.state,
            "is_start_past": bool(not_started and start is not None and start < now),
            "company_id": step.company_id,
        }

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
        Link = self.env["backward.link"]
        bulk = self.env["backward.bulk.writer"]
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
        changed_fields = set()
        for pair, link in existing_by_pair.items():
            vals = wanted.get(pair)
            if vals is None:
                if link.state == "cancel":
                    continue
                vals = dict({fname: link[fname] for fname in LINK_FIELDS}, state="cancel")
            old = {fname: bulk._comparable_value(Link, fname, link[fname]) for fname in LINK_FIELDS}
            new = {fname: bulk._comparable_value(Link, fname, vals.get(fname)) for fname in LINK_FIELDS}
            if old != new:
                updates[link.id] = vals
                changed_fields |= {fname for fname in LINK_FIELDS if old[fname] != new[fname]}
        bulk._bulk_update(Link, updates, LINK_FIELDS, changed_fields)
        # a step whose most urgent need is another order's keeps the parent that order gave it
        outside = {
            key for key, dates in plan.steps.items() if dates.driving_link is None and chain.steps[key].model != SALE
        }
        self._set_parents(deadline_of, chain, parents, outside)
        return list(in_chain)

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

    @staticmethod
    def _counted_starts(chain, order_id, driving_orders):
        """The steps whose start counts for the order's feasibility (``scheduling.delivery``).

        An order is infeasible when its own earliest delivery is after its promise, or
        when a step it drives should already have started: a shared step late for a more
        urgent order does not make a relaxed order infeasible.
        """
        return [
            step.key
            for step in chain.steps.values()
            if driving_orders.get(step.key) == order_id and step.state == "planned"
        ]

    def _write_orders(
        self, chain, orders, plan, forward, core_steps, now, changed_orders, driving_orders, keep_agreement=False
    ):
        """Feasibility and agreement of each order; a changed plan must be agreed again."""
        for order in orders:
            counted = self._counted_starts(chain, order.id, driving_orders)
            verdict = scheduling.delivery(core_steps, plan, forward, step_key(SALE, order.id), now, counted)
            vals = {
                **self._order_plan_vals(order),
                "backward_planned_on": fields.Datetime.now(),
                "backward_earliest_date": from_timestamp(verdict.served) if verdict.served is not None else False,
                "backward_lateness_hours": round(verdict.late_hours, 2),
                "backward_is_feasible": verdict.feasible,
                "backward_plan_warning": False,
            }
            if order.backward_plan_state in (False, "none"):
                vals["backward_plan_state"] = "proposed"
            elif (
                order.backward_plan_state == "agreed"
                and order.id in changed_orders
                # an accepted re-promise was agreed by the side it affects: the order's agreement
                # stands (a parameter, never a context key a client could send)
                and not keep_agreement
            ):
                vals.update(order._backward_agreement_reset_vals())
            order._backward_write(vals)
