"""How the orders of one planning share the work centers (finite capacity).

:func:`place` places a batch of requests (``capacity.Request``: a sequence of work orders,
a deadline, a release) on a ``capacity.Shop`` in three passes:

1. **List scheduling.** The work orders are taken in a list; each is placed in its turn in
   the first gap that holds it from when its predecessor finishes, on the alternative that
   finishes first (unless the repair chose one). Earlier gaps stay open to the work orders
   after it (insertion), so the free time is not cut into pieces by placing each order just
   in time on its own. The first list is the best of a few: the orders whole, earliest
   deadline first, then least slack first (deadline less work); the work orders one by
   one by their own due date (the deadline less the work from them on), or by their start
   when every order is placed backward from its deadline on the load, the latest first.
2. **Repair.** While an order is late, a change is tried: one of its work orders goes
   before the work orders that held its center while it waited, or runs on another of its
   centers, or one of those that held it moves to another of theirs; or, every other
   time, any work order moves earlier in the list or to another center. Late acceptance
   hill climbing keeps a change when the total lateness (working time past the deadlines,
   then the number of late orders) is no worse than now or than a few changes ago; the
   best schedule found is kept. The search is seeded (the same batch is placed the same
   way) and bounded (:data:`REPAIR_BUDGET` work orders placed in trials, fewer past
   :data:`LARGE`, a search through a crowded lane counting as more: :data:`WALK`), so a
   large planning, or one far past the centers' capacity, stays fast.
3. **Just in time.** Every work order, the last to finish first, moves as late as the load,
   its successor's start and its deadline allow (its own finish when late), on any of its
   centers, never earlier than it was: the lateness cannot grow, and the work (and the
   material it needs) starts as late as it can.

The arithmetic on instants and working time is the shop's (``capacity``); this module only
decides the order and where each work order goes.
"""

from itertools import permutations
from random import Random

from .calendar import HorizonError

# Work orders placed in trials of the repair, at most, per batch: a few seconds at worst
# for a batch of a hundred orders (the full re-plan's chunks are smaller); past LARGE work
# orders, a share of it, so that 10,000 work orders are placed in about a second.
REPAIR_BUDGET = 400_000
LARGE = 1_000
# Changes the repair looks back to: it keeps a change no worse than the schedule then.
MEMORY = 10
# Changes tried without a better schedule, per work order of the batch, before it stops.
STALE = 40
PATIENCE = 5_000  # at least, for a batch of several orders
# Up to this many work orders in a batch, every list is tried before the repair (720 at most).
EXACT = 6
# A placement searches a few spans of its lanes; on a lane crowded with short gaps (a center
# loaded far past what it can make) it steps through hundreds, and counts for one more
# placement per WALK spans past the first few: the budget bounds the work, not the count.
WALK, WALK_FREE = 16, 8


def forward(shop, operations, ready):
    """Slots of ``operations`` in order, each as early as possible from its predecessor's
    finish (nothing booked: the operations of one sequence never overlap in time)."""
    slots = []
    for operation in operations:
        slot = shop.earliest(operation, ready)
        slots.append(slot)
        ready = slot.finish
    return slots


def bottleneck(slots):
    """The center that held a sequence back most: where its work waited longest for a free
    unit, else where it lasted longest."""
    if not slots:
        return None
    return max(slots, key=lambda slot: (slot.wait, slot.seconds)).center.key


class _Batch:
    """The requests of a batch, the list of their work orders, and where each is."""

    def __init__(self, shop, requests):
        self.shop = shop
        self.requests = requests
        self.slots = [[None] * len(request.operations) for request in requests]
        self.choice = {}  # (request, step) -> the one option the repair chose
        self.order = []  # [(request, step)], every step after its predecessor
        self.lanes = [lane for center in shop.centers.values() for lane in center.lanes]

    def ready(self, index):
        request = self.requests[index]
        return self.shop.now if request.not_before is None else max(self.shop.now, request.not_before)

    def walked(self):
        return sum(lane.walked for lane in self.lanes)

    def place_from(self, first):
        """Place the work orders of the list from position ``first`` on, booked; returns how
        many, the long searches counted as more (:data:`WALK`)."""
        requests, slots, choice, shop = self.requests, self.slots, self.choice, self.shop
        walked = self.walked()
        booked = []
        try:
            for index, step in self.order[first:]:
                operation = requests[index].operations[step]
                chosen = choice.get((index, step))
                if chosen is not None:
                    operation = type(operation)(operation.key, (operation.options[chosen],))
                ready = slots[index][step - 1].finish if step else self.ready(index)
                slot = shop.earliest(operation, ready)
                slot.book()
                booked.append(slot)
                slots[index][step] = slot
        except HorizonError:
            for slot in booked:  # nothing of a failed placement stays booked
                slot.unbook()
            raise
        placed = len(booked)
        return placed + max(self.walked() - walked - WALK_FREE * placed, 0) // WALK

    def unbook_from(self, first):
        for index, step in self.order[first:]:
            self.slots[index][step].unbook()

    def lateness(self, index):
        """Working seconds of request ``index`` past its deadline (0 when on time)."""
        slots, deadline = self.slots[index], self.requests[index].deadline
        if not slots or slots[-1].finish <= deadline:
            return 0
        calendar = slots[-1].center.calendar
        return max(calendar.position(slots[-1].finish) - calendar.clamped_position(deadline), 1)

    def score(self):
        late = [self.lateness(index) for index in range(len(self.requests))]
        return sum(late), sum(1 for seconds in late if seconds)

    def snapshot(self):
        return list(self.order), dict(self.choice), [list(slots) for slots in self.slots]

    def restore(self, snapshot):
        """Back to a :meth:`snapshot`: its list, its choices and its slots booked."""
        for slots in self.slots:
            for slot in slots:
                if slot is not None:
                    slot.unbook()
        self.rebook(snapshot)

    def rebook(self, snapshot):
        """A :meth:`snapshot` booked again, nothing of the batch being booked."""
        order, choice, slots = snapshot
        self.order, self.choice, self.slots = list(order), dict(choice), [list(row) for row in slots]
        for row in self.slots:
            for slot in row:
                slot.book()

    def late(self, index):
        slots = self.slots[index]
        return bool(slots) and slots[-1].finish > self.requests[index].deadline


def place(shop, requests, budget=REPAIR_BUDGET):
    """``[(slots, late, bottleneck)]`` of ``requests``, in their order, booked on ``shop``."""
    batch = _Batch(shop, requests)
    score = _first_list(batch)
    if score[1] and len(batch.order) <= EXACT:
        score = _every_list(batch, score)
    if score[1]:
        size = len(batch.order)
        _repair(batch, score, budget if size <= LARGE else budget * LARGE // size)
    _just_in_time(batch)
    return [(batch.slots[index], batch.late(index), bottleneck(batch.slots[index])) for index in range(len(requests))]


def _work(request):
    return sum(min(seconds for _center, seconds in operation.options) for operation in request.operations)


def _first_list(batch):
    """Place the best of a few lists: the orders whole, earliest deadline first, then least
    slack first; the work orders one by one by their own due date, or by their latest start
    placed backward. Returns its score."""
    requests = batch.requests
    everything = range(len(requests))
    keys = (
        lambda index: (requests[index].deadline, index),
        lambda index: (requests[index].deadline - _work(requests[index]), index),
        lambda index: (requests[index].deadline - 2 * _work(requests[index]), index),
    )
    lists = [
        [(index, step) for index in sorted(everything, key=key) for step in range(len(requests[index].operations))]
        for key in keys
    ]
    # the work orders one by one, by their own due date: the order's deadline less the work
    # from them on (k times it), so that a long order's first work order comes early
    remaining = {}
    for index, request in enumerate(requests):
        after = 0
        for step in reversed(range(len(request.operations))):
            after += min(seconds for _center, seconds in request.operations[step].options)
            remaining[(index, step)] = after
    for factor in (1, 2):
        lists.append(
            sorted(remaining, key=lambda entry: (requests[entry[0]].deadline - factor * remaining[entry], entry))
        )
    lists.append(_latest_starts(batch))
    best = None
    for candidate in lists:
        if best is not None:
            batch.unbook_from(0)
        batch.order = candidate
        batch.place_from(0)
        score = batch.score()
        if best is None or score < best[0]:
            best = (score, batch.order, [list(slots) for slots in batch.slots])
        if not score[1]:
            return score
    score, order, slots = best
    if order is not batch.order:
        batch.unbook_from(0)
        batch.order, batch.slots = order, slots
        for index, step in order:
            slots[index][step].book()
    return score


def _every_list(batch, score):
    """Place the best of every list (each order's work orders in their order): a few work
    orders only (:data:`EXACT`), where trying them all is cheaper than a search and, on one
    center, exact. Returns its score."""
    best = (score, batch.snapshot())
    for candidate in permutations(batch.order):
        if not _in_sequence(candidate):
            continue
        batch.unbook_from(0)
        batch.order = list(candidate)
        try:
            batch.place_from(0)
        except HorizonError:  # nothing of it stays booked
            batch.rebook(best[1])
            continue
        trial = batch.score()
        if trial < best[0]:
            best = (trial, batch.snapshot())
    batch.restore(best[1])
    return best[0]


def _in_sequence(order):
    """Whether each order's work orders come in their order."""
    following = {}
    for index, step in order:
        if following.get(index, 0) != step:
            return False
        following[index] = step + 1
    return True


def _latest_starts(batch):
    """The work orders by their latest start when the orders are placed backward from their
    deadlines on the load, the latest deadline first, as if there were time before now:
    where the load forces one earlier than now, the forward pass makes it late by as little
    as the list allows."""
    shop, requests = batch.shop, batch.requests
    booked, starts = [], {}
    for index in sorted(range(len(requests)), key=lambda index: (-requests[index].deadline, index)):
        bound = requests[index].deadline
        for step in reversed(range(len(requests[index].operations))):
            operation = requests[index].operations[step]
            lowest = min(shop.centers[center].calendar.starts[0] for center, _seconds in operation.options)
            slot = shop.latest(operation, bound, lowest)
            if slot is None:  # off the calendars' horizon: first, before anything placed
                starts[(index, step)] = (lowest, step)
                continue
            slot.book()
            booked.append(slot)
            starts[(index, step)] = (slot.start, step)
            bound = slot.start
    for slot in booked:
        slot.unbook()
    return sorted(starts, key=lambda entry: (*starts[entry], entry))


def _repair(batch, score, budget):
    """Change the list and the centers while that lowers the lateness (see the module).

    Late acceptance hill climbing: a change drawn at random (seeded: the same batch is
    placed the same way) for a late order is kept when the lateness is no worse than now or
    than it was :data:`MEMORY` changes ago, which lets the search cross a plateau or a small
    rise to a better schedule. The best schedule found is the one kept.
    """
    draw = Random(len(batch.order))
    best = (score, batch.snapshot())
    budget -= len(batch.order)
    history = [score] * MEMORY
    turn = found = 0
    # one order alone can only change centers: few changes to try
    patience = STALE * len(batch.order) if len(batch.requests) == 1 else max(STALE * len(batch.order), PATIENCE)
    while budget > 0 and best[0][1] and turn - found <= patience:
        if turn % 2:
            late = [index for index in range(len(batch.requests)) if batch.late(index)]
            moves = list(_moves(batch, [draw.choice(late)]))
            if not moves:  # nothing held this one up: try elsewhere
                turn += 1
                continue
            first, order, choice = draw.choice(moves)
        else:
            first, order, choice = _any_move(batch, draw)
        saved_order, saved_choice = batch.order, batch.choice
        saved = [batch.slots[index][step] for index, step in saved_order[first:]]
        batch.unbook_from(first)
        batch.order, batch.choice = order, choice
        try:
            budget -= batch.place_from(first)
            trial = batch.score()
        except HorizonError:
            trial = None
        if trial is not None and (trial <= score or trial <= history[turn % MEMORY]):
            score = trial
            if score < best[0]:
                best, found = (score, batch.snapshot()), turn
                budget -= len(batch.order)
        else:
            if trial is not None:
                batch.unbook_from(first)
            batch.order, batch.choice = saved_order, saved_choice
            for (index, step), slot in zip(saved_order[first:], saved, strict=True):
                slot.book()
                batch.slots[index][step] = slot
        history[turn % MEMORY] = score
        turn += 1
    batch.restore(best[1])


def _any_move(batch, draw):
    """A change drawn anywhere: a work order earlier in the list (after its predecessor),
    or on another of its centers."""
    order = batch.order
    position = draw.randrange(len(order))
    index, step = order[position]
    options = batch.requests[index].operations[step].options
    if len(options) > 1 and draw.random() < 0.3:
        return position, order, {**batch.choice, (index, step): draw.randrange(len(options))}
    lowest = order.index((index, step - 1)) + 1 if step else 0
    if lowest >= position:
        return position, order, batch.choice
    target = draw.randrange(lowest, position)
    return target, [*order[:target], order[position], *order[target:position], *order[position + 1 :]], batch.choice


def _moves(batch, late):
    """Changes that may help the ``late`` orders: ``(first position, order, choice)``."""
    requests, slots, order = batch.requests, batch.slots, batch.order
    where = {entry: position for position, entry in enumerate(order)}
    for index in late:
        # the work order of this order that waited longest, and who held its center then
        row = slots[index]
        waits = sorted(
            range(len(row)),
            key=lambda step: -(row[step].start - (row[step - 1].finish if step else batch.ready(index))),
        )
        for step in waits:
            slot = slots[index][step]
            ready = slots[index][step - 1].finish if step else batch.ready(index)
            holders = [
                (other, other_step)
                for other, other_step in order[: where[(index, step)]]
                if other != index
                and slots[other][other_step].lane is slot.lane
                and slots[other][other_step].finish > ready
                and slots[other][other_step].start < slot.start
            ]
            holders.sort(key=lambda entry: where[entry])
            # go before the holders: the first of them, then the last
            for holder in dict.fromkeys(holders[:1] + holders[-1:]):
                target = where[holder]
                moved = [(index, s) for s in range(step + 1) if where[(index, s)] > target]
                rest = [entry for entry in order[target:] if entry not in moved]
                yield target, [*order[:target], *moved, *rest], batch.choice
            # run on another center, or move a holder to another of its centers
            for entry in [(index, step), *holders]:
                options = requests[entry[0]].operations[entry[1]].options
                on = slots[entry[0]][entry[1]].center.key
                current = next(n for n, (center, _s) in enumerate(options) if center == on)
                for option in range(len(options)):
                    if option != current:
                        yield where[entry], order, {**batch.choice, entry: option}


def _just_in_time(batch):
    """Every work order, the last finishing first, as late as it can go (never earlier)."""
    shop, requests = batch.shop, batch.requests
    entries = sorted(
        ((slot.finish, step, index) for index, slots in enumerate(batch.slots) for step, slot in enumerate(slots)),
        reverse=True,
    )
    for _finish, step, index in entries:
        slots, request = batch.slots[index], requests[index]
        slot = slots[step]
        bound = slots[step + 1].start if step + 1 < len(slots) else max(request.deadline, slot.finish)
        slot.unbook()
        moved = shop.latest(request.operations[step], bound, slot.start)
        if moved is None or moved.start < slot.start:
            moved = slot
        moved.wait = slot.wait
        moved.book()
        slots[step] = moved
