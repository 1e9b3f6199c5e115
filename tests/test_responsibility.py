"""Shared responsibility: each late link carries what of its delay reached the end."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling import shares, split_delay

HOURS = st.floats(min_value=-100, max_value=500, allow_nan=False, allow_infinity=False)


def test_a_vendor_whose_delay_was_absorbed_carries_what_reached_the_mo():
    """Vendor 52 h late, the MO's output only 4 h: the vendor carries 4 h, the MO nothing."""
    assert split_delay([52.0, 4.0]) == [4.0, 0.0]


def test_three_late_links():
    """Vendor 52 h, MO 4 h (won back 48), delivery 10 h (added 6): 4 + 0 + 6 = 10."""
    assert split_delay([52.0, 4.0, 10.0]) == [4.0, 0.0, 6.0]
    assert shares([4.0, 0.0, 6.0]) == [40.0, 0.0, 60.0]


def test_won_back_hours_come_off_the_most_recent_delay_first():
    """Vendor 10 h, MO 30 h (added 20), transfer 20 h (won back 10): the MO keeps 10 of its 20."""
    assert split_delay([10.0, 30.0, 20.0]) == [10.0, 10.0, 0.0]


def test_each_link_adding_delay():
    """Nothing won back: each carries what it added."""
    assert split_delay([5.0, 12.0]) == [5.0, 7.0]


def test_an_on_time_end_leaves_nobody_responsible():
    assert split_delay([8.0, -2.0]) == [0.0, 0.0]
    assert shares([0.0, 0.0]) == [0.0, 0.0]


@given(st.lists(HOURS, min_size=1, max_size=12))
def test_the_parts_add_up_to_the_final_delay(lateness):
    carried = split_delay(lateness)
    assert len(carried) == len(lateness)
    assert all(hours >= 0 for hours in carried)
    assert sum(carried) == pytest.approx(max(lateness[-1], 0.0), abs=1e-6)


@given(st.lists(HOURS, min_size=1, max_size=12))
def test_nobody_carries_more_than_their_own_lateness(lateness):
    for hours, carried in zip(lateness, split_delay(lateness), strict=True):
        assert carried <= max(hours, 0.0) + 1e-9


@given(st.lists(st.floats(min_value=0, max_value=500, allow_nan=False), min_size=1, max_size=12))
def test_shares_add_up_to_exactly_100(carried):
    result = shares(carried)
    if sum(carried) > 0:
        assert sum(result) == pytest.approx(100.0, abs=1e-6)
        assert all(value >= -0.01 for value in result)
    else:
        assert result == [0.0] * len(carried)
