"""The chain of a sale order: its steps, the handovers between them, the orders they serve.

Built from plain rows (the stock moves Odoo created, walked upstream from the order
lines) without the ORM, so that the quotation check, the planner and the tests share it.
"""

from collections import defaultdict
from dataclasses import dataclass, field

SALE, PICKING, PRODUCTION, PURCHASE_LINE = (
    "sale.order",
    "stock.picking",
    "mrp.production",
    "purchase.order.line",
)
# The upstream step's kind decides whose buffer a link carries.
LINK_KIND_BY_STEP = {
    "purchase": "purchase",
    "production": "production",
    "transfer": "transfer",
    "receipt": "transfer",
    "delivery": "delivery",
}


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
    owner_source: str = ""  # where the owner comes from, when not the document's own
    team_id: int = 0
    partner_id: int = 0
    product_id: int = 0
    calendar_key: tuple = ()
    segments: list = field(default_factory=list)  # (kind, calendar key, hours)
    done_at: object = None
    started_at: object = None
    remaining: list | None = None  # (calendar key, minutes left) of a started manufacturing order
    promise: object = None
    warning: str = ""
    level: int = 0
    is_tail: bool = False  # the last step known before the customer, not a delivery yet
    tail_push_days: float = 0
    document_planned: object = None  # the document's own schedule (Odoo's)
    set_start: object = None  # a manufacturing order's start set by hand, not the plan's
    purchase_id: int = 0
    # finite capacity: its work orders ``(key, ((work center id, minutes), ...))`` to place,
    # standing for ``segments[operations_span[0]:operations_span[1]]``
    capacity_operations: list = field(default_factory=list)
    operations_span: tuple | None = None


@dataclass
class Chain:
    steps: dict = field(default_factory=dict)  # key -> ChainStep
    edges: set = field(default_factory=set)  # (upstream key, downstream key)

    def add(self, key, model, res_id):
        if key not in self.steps:
            self.steps[key] = ChainStep(key, model, res_id)
        return self.steps[key]

    def feeding(self):
        """{downstream key: [upstream keys]}"""
        result = defaultdict(list)
        for up, down in self.edges:
            result[down].append(up)
        return result


def start_set_by_hand(start, written):
    """Whether a manufacturing order's start is a person's: not the one the plan last wrote
    (nor, before it wrote any, the order's own when the plan first met it)."""
    return bool(written) and start != written


def move_step(row):
    """The step (document) a walked move belongs to, or None."""
    if row["picking_id"]:
        return step_key(PICKING, row["picking_id"])
    production_id = row["production_id"] or row["raw_material_production_id"]
    if production_id:
        return step_key(PRODUCTION, production_id)
    return None


def build_graph(order_ids, rows):
    """Steps and handovers from the walked moves: one step per document.

    ``rows``: one per move and move it feeds (``dest_id``), with its document's ids, its
    destination's usage, the order of its sale line, its push delay and the purchase lines
    it created (see the chain reader's walk).
    """
    order_ids = set(order_ids)
    chain = Chain()
    for order_id in sorted(order_ids):
        chain.add(step_key(SALE, order_id), SALE, order_id).orders.add(order_id)
    moves = {}
    dests = defaultdict(set)
    for row in rows:
        moves[row["move_id"]] = row
        if row["dest_id"]:
            dests[row["move_id"]].add(row["dest_id"])
    step_of = {move_id: move_step(row) for move_id, row in moves.items()}
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
        if row["order_id"] in order_ids and (row["usage"] == "customer" or move_id not in dests):
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
    propagate_orders(chain)
    return chain


def propagate_orders(chain):
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


def customer_done(chain):
    """A promise is kept when every delivery feeding it is done."""
    feeding = chain.feeding()
    for key, step in chain.steps.items():
        if step.model != SALE:
            continue
        deliveries = [chain.steps[up] for up in feeding[key] if chain.steps[up].state != "cancel"]
        if deliveries and all(upstream.state == "done" for upstream in deliveries):
            step.state = "done"
            step.done_at = max(upstream.done_at for upstream in deliveries)


def driving_orders(chain, plan, core_links, caps):
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
