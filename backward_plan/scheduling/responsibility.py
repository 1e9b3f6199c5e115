"""Shared responsibility: who answers for how much of a late handover.

A chain of late links, from the first (upstream) to the reviewed one (downstream), each
with how late it handed over. Delays travel downstream: a link's lateness includes what it
inherited. A link whose buffer absorbed part of what it inherited *won back* those hours;
they are taken off the links before it, most recent delay first, because that part of
their delay never reached the reviewed handover.

So each link carries what of its own delay still reaches the end of the chain: with
``reach[i] = min(lateness[i:])`` (the part of link i's lateness that survives every
recovery downstream), link i carries ``reach[i] - reach[i - 1]``. The parts add up to
the reviewed link's lateness. A vendor 52 h late whose delay reached the MO as 4 h
carries 4 h, not 52 h.
"""


def split_delay(lateness):
    """Hours each link carries of the final delay, in the order given (upstream first).

    ``lateness`` lists how late each link of the chain was, in hours; negative or zero
    means on time. The result has one entry per link, each ``>= 0``; they add up to the
    last link's lateness (0 when it was not late).
    """
    reaches = []
    floor = float("inf")
    for hours in reversed(lateness):
        floor = min(floor, max(hours, 0.0))
        reaches.append(floor)
    reaches.reverse()
    # reaches never decrease downstream: each difference is >= 0 and they telescope
    return [reach - before for before, reach in zip([0.0, *reaches[:-1]], reaches, strict=True)]


def shares(carried):
    """Percentages of the carried hours, to the hundredth, that add up to exactly 100.

    The largest share takes the rounding rest. No hours at all: no shares.
    """
    total = sum(carried)
    if total <= 0:
        return [0.0] * len(carried)
    result = [round(hours / total * 100.0, 2) for hours in carried]
    largest = max(range(len(result)), key=lambda index: result[index])
    result[largest] = round(100.0 - sum(value for index, value in enumerate(result) if index != largest), 2)
    return result
