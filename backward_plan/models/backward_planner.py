"""Plan a sale order's chain backward from the customer's date: the recipe.

1. ``backward.chain.reader``: the chain Odoo created, its documents, their durations
   (through the lead-time hook) and their states;
2. the pure core plans it backward (deadlines) and forward (earliest dates), on the
   working calendars (``_compute``);
3. ``backward.plan.writer``: deadlines and links created or updated in bulk, the watch
   told to judge them, the change told in the chatter of every document that moved.
"""

import logging
from typing import NamedTuple

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import scheduling
from ..scheduling import chain as chains
from ..scheduling import to_timestamp
from ..scheduling.chain import LINK_KIND_BY_STEP, PURCHASE_LINE, SALE, step_key
from ..scheduling.expectation import document_facts, expect
from ..scheduling.leadtime import calendar_keys, core_segments

_logger = logging.getLogger(__name__)

# Horizons tried for the calendars, in days around the chain's dates; whole months, so
# that the expansion of a calendar's weeks is cached from one planning to the next.
HORIZON_MARGINS = (62, 400, 2000)


class Preview(NamedTuple):
    """A plan as it would be, nothing written (``backward.planner._preview``)."""

    chain: object
    plan: object
    forward: dict
    steps: dict  # core steps
    links: list  # core links
    now: float
    counted: list  # the steps whose start counts for the order's feasibility


class BackwardPlanner(models.AbstractModel):
    _name = "backward.planner"
    _description = "Backward Planner"

    # ------------------------------------------------------------------ entry points

    @api.model
    def _plan_sale_orders(self, orders, reason, keep_agreement=False):
        """Plan or re-plan the chains of confirmed ``orders``.

        Raises UserError naming the order and what is missing when an order cannot be
        planned; callers that must not fail (confirmation) catch it. Runs as superuser, in
        the name of the user whose act re-plans (a buyer confirming may not read the MOs).

        With finite capacity, the work orders of the chains are placed on their work centers
        around the load already there.
        """
        if not self.env.su:
            # sudo: the act of a salesperson or buyer re-plans documents they may not read
            planner = self.sudo()
            return planner._plan_sale_orders(orders.with_env(planner.env), reason, keep_agreement)
        orders = orders.filtered(lambda order: order.state == "sale")
        if not orders:
            return
        self.env.flush_all()
        now = to_timestamp(fields.Datetime.now())
        chain = self.env["backward.chain.reader"]._read_chain(orders)
        writer = self.env["backward.plan.writer"]
        existing, links = writer._existing(chain, orders)
        caps = self._outside_needs(links, existing, chain, orders)
        references = {deadline.step_key: deadline.date_document_planned for deadline in existing}
        agreed = self._agreed_vendor_dates(existing, chain, self._agreed_handovers(links, chain))
        plan, forward, core = self._compute(chain, caps, now, references, agreed, self._ranks(orders))
        writer._write_plan(chain, orders, existing, links, plan, forward, core, now, reason, caps, keep_agreement)
        self.env["backward.schedule.writer"]._remember_starts(chain)
        self._write_placements(chain, plan, existing, orders)

    # ------------------------------------------------ hooks for the layers above

    def _agreed_handovers(self, links, chain):
        """{step key: handover its downstream side agreed to} (hook: the plan agrees none of
        its own; the watch's accepted re-promises do)."""
        return {}

    def _ranks(self, orders):
        """{order id: comparable rank}, the most urgent lowest (hook: infinite capacity
        places nothing, so no order goes first)."""
        return {}

    def _capacity_facts(self, active, companies):
        """What the steps ``active`` place their work on (hook: with infinite capacity,
        nothing). An answer offers ``calendar_keys()``, ``reach()`` (when the load there
        ends), ``shop(calendars, now)`` and ``attach(core_steps, active, ranks)``."""

    def _write_placements(self, chain, plan, existing, orders):
        """After the plan is written (hook: infinite capacity places no work order)."""

    @api.model
    def _preview(self, order, handover=None, promise=None):
        """The plan of ``order`` as it would be, nothing written: a :class:`Preview`.

        ``handover``: ``(link, moment)``, were the link's upstream to hand over at ``moment``
        by agreement (the effect a downstream owner is shown); ``promise``: were the customer
        to be served at that date instead (the effect of a delivery-date change).
        """
        if not self.env.su:
            # sudo: the effect is shown to a salesperson or an owner who may not read the chain
            planner = self.sudo()
            if handover:
                handover = (handover[0].with_env(planner.env), handover[1])
            return planner._preview(order.with_env(planner.env), handover, promise)
        self.env.flush_all()
        chain = self.env["backward.chain.reader"]._read_chain(order)
        existing, links = self.env["backward.plan.writer"]._existing(chain, order)
        agreed = self._agreed_vendor_dates(existing, chain, self._agreed_handovers(links, chain))
        references = {deadline.step_key: deadline.date_document_planned for deadline in existing}
        if handover:
            link, moment = handover
            key = link.upstream_id.step_key
            if key in chain.steps:
                instant = to_timestamp(moment)
                agreed[key] = max(agreed.get(key, instant), instant)
                if chain.steps[key].document_planned:
                    # as accepting does: the document's date is the agreed one, not a slip past it
                    references[key] = chain.steps[key].document_planned
        sale = chain.steps.get(step_key(SALE, order.id))
        if promise and sale:
            sale.promise = promise
        caps = self._outside_needs(links, existing, chain, order)
        now = to_timestamp(fields.Datetime.now())
        plan, forward, core = self._compute(chain, caps, now, references, agreed)
        driving = chains.driving_orders(chain, plan, core[1], caps)
        counted = self.env["backward.plan.writer"]._counted_starts(chain, order.id, driving)
        return Preview(chain, plan, forward, core[0], core[1], now, counted)

    @staticmethod
    def _agreed_vendor_dates(existing, chain, agreed):
        """``agreed``, and the purchases ordered on the agreed receive-by their RFQ asked for
        (the date the plan wrote is the baseline): they hand over then, kept once received.
        Odoo's receipt joining the chain at the confirmation must not make a vendor on time
        late; a vendor's later date is weighed against it (a re-promise)."""
        for deadline in existing:
            step = chain.steps.get(deadline.step_key)
            baseline = deadline.date_deadline_baseline
            ordered = step and step.kind == "purchase" and step.state in ("in_progress", "done")
            if ordered and baseline and baseline == deadline.date_document_planned:
                moment = to_timestamp(baseline)
                agreed[step.key] = max(agreed.get(step.key, moment), moment)
        return agreed

    @api.model
    def _cancel_sale_orders(self, orders):
        """A cancelled order: its own steps and links are cancelled, never deleted.

        Steps shared with orders still alive are re-planned for those orders.
        """
        if not self.env.su:
            # sudo: a salesperson cancelling an order cancels steps of documents they may not read
            planner = self.sudo()
            return planner._cancel_sale_orders(orders.with_env(planner.env))
        Deadline = self.env["backward.deadline"]
        deadlines = Deadline.search([("sale_order_ids", "in", orders.ids), ("state", "!=", "cancel")])
        shared = deadlines.filtered(lambda deadline: deadline.sale_order_ids - orders)
        own = deadlines - shared
        links = self.env["backward.link"].search(
            [
                ("state", "!=", "cancel"),
                "|",
                ("sale_order_id", "in", orders.ids),
                "|",
                ("upstream_id", "in", own.ids),
                ("downstream_id", "in", own.ids),
            ]
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
        self.env["backward.notifier"]._tell_cancelled(own, orders)

    @api.model
    def _replan_documents(self, documents, reason):
        """Re-plan the orders whose chains hold ``documents`` (after a cancel, a split...)."""
        if not documents or self.env.context.get("backward_defer_planning"):
            return
        if not self.env.su:
            # sudo: whoever cancels or finishes a document re-plans the chains it belongs to
            planner = self.sudo()
            return planner._replan_documents(documents.with_env(planner.env), reason)
        keys = [step_key(document._name, document.id) for document in documents]
        if documents._name == "purchase.order":
            keys = [step_key(PURCHASE_LINE, line_id) for line_id in documents.order_line.ids]
        deadlines = self.env["backward.deadline"].search([("step_key", "in", keys)])
        orders = deadlines.sale_order_ids.filtered(lambda order: order.state == "sale")
        # in one planning; each order alone when one of them cannot be planned, so that
        # one order's bad data does not block the others (a purchase order confirmed can
        # hold the lines of a hundred orders)
        self.env["backward.replanner"]._replan_group(orders, reason)

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

    @api.model
    def _calendars(self, keys, low, high, margin, skip_invalid=False):
        """Working calendars for ``keys`` over whole months around ``low``..``high`` (timestamps)."""
        first_day, last_day = scheduling.month_horizon(low, high, margin)
        return self.env["resource.calendar"]._backward_work_calendars(keys, first_day, last_day, skip_invalid)

    @api.model
    def _granularity(self, companies):
        """The finest deadline grid of ``companies`` (one grid per planning)."""
        granularities = [company.backward_granularity for company in companies]
        return min(granularities, key=scheduling.GRANULARITIES.index) if granularities else "shift"

    def _compute(self, chain, caps, now, references=None, agreed=None, ranks=None):
        """Plan the active steps with the core; retry on a wider horizon when needed.

        Backward first (the deadlines); then the started steps are expected as the watch
        expects them against those deadlines (``references``: each step's document date
        when it was first planned); then forward from reality (the earliest dates). With
        finite capacity, both passes place the work orders on their work centers' load
        (``backward.capacity``), the orders of lowest ``ranks`` first.
        """
        active = {key: step for key, step in chain.steps.items() if step.state != "cancel"}
        edges = [(up, down) for up, down in sorted(chain.edges) if up in active and down in active]
        promises = [to_timestamp(step.promise) for step in active.values() if step.promise]
        low, high = min([now, *promises]), max([now, *promises])
        keys = {step.calendar_key for step in active.values()}
        for step in active.values():
            keys |= calendar_keys(step.segments)
        companies = {
            company.id: company for company in self.env["res.company"].browse({s.company_id for s in active.values()})
        }
        granularity = self._granularity(companies.values())
        # None with infinite capacity: the layer above answers with its facts
        capacity = self._capacity_facts(active, companies)  # pylint: disable=assignment-from-none
        if capacity:
            keys |= capacity.calendar_keys()
            # the calendars reach past the load already there (far past the promises when the
            # centers are overloaded): the first horizon tried holds the placement, not the last
            # (bounded: a slot planned by hand years away must not expand the calendars to it)
            reach = capacity.reach()
            if reach:
                high = max(high, min(reach, high + HORIZON_MARGINS[-1] * 86400))
        for margin in HORIZON_MARGINS:
            calendars = self._calendars(keys, low, high, margin)
            core_steps, core_links = self._core_steps(active, edges, calendars, caps, companies, agreed or {})
            shops = (None, None)
            if capacity:
                capacity.attach(core_steps, active, ranks or {})
                shops = (capacity.shop(calendars, now), capacity.shop(calendars, now))
            try:
                plan = scheduling.plan_backward(core_steps, core_links, granularity, shop=shops[0])
                self._expect_started(active, core_steps, plan, references or {}, calendars, now)
                forward = scheduling.plan_forward(core_steps, core_links, granularity, now, shop=shops[1])
                return plan, forward, (core_steps, core_links, edges, calendars)
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

    def _expect_started(self, active, core_steps, plan, references, calendars, now):
        """A started step finishes when the watch expects it to (``scheduling.expectation``)."""
        for key, step in active.items():
            dates = plan.steps.get(key)
            if step.state != "in_progress" or dates is None:
                continue
            core_step = core_steps[key]
            document, reference = step.document_planned, references.get(key)
            facts = document_facts(
                step.kind,
                step.state,
                core_step.calendar,
                core_step.segments,
                dates.finish,
                dates.start,
                document_date=to_timestamp(document) if document else None,
                reference=to_timestamp(reference) if reference else None,
                ordered_at=core_step.started_at,
                remaining=core_segments(step.remaining, calendars) if step.remaining is not None else None,
            )
            core_step.expected_finish = expect(facts, now).expected

    def _core_steps(self, active, edges, calendars, caps, companies, agreed=None):
        core_steps = {}
        for key, step in active.items():
            core_steps[key] = scheduling.Step(
                key,
                calendars[step.calendar_key],
                core_segments(step.segments, calendars),
                promise=to_timestamp(step.promise) if step.promise else None,
                done_at=to_timestamp(step.done_at) if step.done_at else None,
                started_at=to_timestamp(step.started_at) if step.started_at else None,
                set_start=to_timestamp(step.set_start) if step.set_start else None,
                cap=caps[key][0] if key in caps else None,
                agreed_finish=(agreed or {}).get(key),
            )
        core_links = []
        for up, down in edges:
            upstream = active[up]
            percent, hours = companies[upstream.company_id]._backward_buffer(LINK_KIND_BY_STEP[upstream.kind])
            buffer = scheduling.buffer_seconds(core_steps[up].seconds, percent, hours)
            core_links.append(scheduling.Link(up, down, buffer))
        return core_steps, core_links
