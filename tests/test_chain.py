"""The chain graph, the lead time of each kind of step and the state of each document."""

from scheduling import Link, Plan, StepDates, elapsed, work
from scheduling.chain import (
    PICKING,
    PRODUCTION,
    PURCHASE_LINE,
    SALE,
    build_graph,
    customer_done,
    driving_orders,
    step_key,
)
from scheduling.leadtime import (
    ProductionFacts,
    core_segments,
    decode,
    encode,
    production_segments,
    purchase_segments,
    remaining_segments,
    transfer_segments,
)
from scheduling.states import production_state, purchase_line_state

from factories import office, two_shifts


def move(move_id, dest_id=None, **values):
    row = {
        "move_id": move_id,
        "dest_id": dest_id,
        "picking_id": None,
        "production_id": None,
        "raw_material_production_id": None,
        "purchase_line_id": None,
        "usage": "internal",
        "order_id": None,
        "push_delay": 0,
        "rfq_line_ids": [],
    }
    row.update(values)
    return row


def bike_rows():
    """Delivery (picking 5) <- bike MO 7 <- wheels RFQ line 9 (not received yet)."""
    return [
        move(1, picking_id=5, usage="customer", order_id=3),
        move(2, 1, production_id=7),
        move(3, 2, raw_material_production_id=7, rfq_line_ids=[9]),
    ]


def test_the_chain_follows_the_moves_to_the_customer():
    chain = build_graph([3], bike_rows())
    keys = {
        "customer": step_key(SALE, 3),
        "delivery": step_key(PICKING, 5),
        "bike": step_key(PRODUCTION, 7),
        "wheels": step_key(PURCHASE_LINE, 9),
    }
    assert set(chain.steps) == set(keys.values())
    assert chain.edges == {
        (keys["delivery"], keys["customer"]),
        (keys["bike"], keys["delivery"]),
        (keys["wheels"], keys["bike"]),
    }
    assert [chain.steps[keys[name]].level for name in ("customer", "delivery", "bike", "wheels")] == [0, 1, 2, 3]
    assert chain.steps[keys["wheels"]].orders == {3}


def test_the_last_step_known_stands_for_the_deliveries_to_come():
    """A pick whose pack and ship Odoo has not pushed yet feeds the customer, with their delays."""
    chain = build_graph([3], [move(1, picking_id=5, usage="internal", order_id=3, push_delay=2)])
    pick = chain.steps[step_key(PICKING, 5)]
    assert pick.is_tail and pick.tail_push_days == 2
    assert (pick.key, step_key(SALE, 3)) in chain.edges


def test_a_promise_is_kept_when_its_deliveries_are_done():
    chain = build_graph([3], bike_rows())
    delivery = chain.steps[step_key(PICKING, 5)]
    delivery.state, delivery.done_at = "done", 100.0
    customer_done(chain)
    assert (chain.steps[step_key(SALE, 3)].state, chain.steps[step_key(SALE, 3)].done_at) == ("done", 100.0)


def test_a_shared_step_is_driven_by_the_order_of_its_earliest_need():
    rows = [*bike_rows(), move(2, 4, production_id=7), move(4, picking_id=6, usage="customer", order_id=4)]
    chain = build_graph([3, 4], rows)
    assert chain.steps[step_key(PRODUCTION, 7)].orders == {3, 4}
    bike = step_key(PRODUCTION, 7)
    core_links = [Link(bike, step_key(PICKING, 5)), Link(bike, step_key(PICKING, 6))]
    plan = Plan(steps={bike: StepDates(10.0, 5.0, driving_link=1)})
    orders = driving_orders(chain, plan, core_links, {})
    assert orders[bike] == 4
    assert orders[step_key(SALE, 3)] == 3


def test_lead_time_of_each_kind():
    company, shop = (1, False), (2, 7)
    assert transfer_segments(company, 1, security_days=1, push_days=0.5) == [("elapsed", company, 60.0)]
    assert purchase_segments(company, vendor_days=5, purchase_days=1, security_days=1) == [("elapsed", company, 168.0)]
    facts = ProductionFacts(company, 8.0, prepare_days=1, operations=((shop, 90),), security_days=0.5, rule_days=1)
    assert production_segments(facts) == [
        ("work", company, 8.0),
        ("work", shop, 1.5),
        ("work", company, 4.0),
        ("elapsed", company, 24.0),
    ]
    assert production_segments(ProductionFacts(company, 8.0, produce_days=2)) == [("work", company, 16.0)]
    assert remaining_segments(((shop, 30), (shop, -5))) == [("work", shop, 0.5), ("work", shop, 0.0)]
    stored = encode(production_segments(facts))
    assert decode(stored) == production_segments(facts)


def test_core_segments_use_the_calendars():
    calendars = {(1, False): office(), (2, 7): two_shifts()}
    segments = core_segments([("work", (2, 7), 1.5), ("elapsed", (1, False), 24)], calendars)
    assert segments == (work(calendars[(2, 7)], 1.5), elapsed(calendars[(1, False)], 24))


def test_document_states():
    assert [production_state(state) for state in ("draft", "confirmed", "progress", "to_close", "done", "cancel")] == [
        "planned",
        "planned",
        "in_progress",
        "in_progress",
        "done",
        "cancel",
    ]
    assert purchase_line_state("draft", "draft") == "planned"
    assert purchase_line_state("purchase", "purchase", moves_open=1) == "in_progress"
    assert purchase_line_state("purchase", "purchase", moves_done=1, moves_cancelled=1) == "done"
    assert purchase_line_state("purchase", "purchase", moves_cancelled=2) == "cancel"
    assert purchase_line_state("cancel", "cancel", moves_open=1) == "cancel"
