"""The hybrid logical clock: strictly increasing, even when the computer's clock goes back."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop.models.hlc import HybridClock, Stamp


def scripted(times: list[int]):  # noqa: ANN201
    it = iter(times)
    return lambda: next(it)


def test_ticks_increase_when_the_clock_goes_backwards() -> None:
    clock = HybridClock(now=scripted([1000, 1000, 400, 1200]))
    stamps = [clock.tick() for _ in range(4)]
    assert stamps == [Stamp(1000, 0), Stamp(1000, 1), Stamp(1000, 2), Stamp(1200, 0)]


@given(st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=200))
def test_stamps_strictly_increase_and_encode_in_order(times: list[int]) -> None:
    clock = HybridClock(now=scripted(times))
    stamps = [clock.tick() for _ in times]
    assert all(a < b for a, b in zip(stamps, stamps[1:]))
    encoded = [s.encode() for s in stamps]
    assert encoded == sorted(encoded) and len(set(encoded)) == len(encoded)
    assert [Stamp.parse(e) for e in encoded] == stamps


def test_observing_a_remote_stamp_moves_past_it() -> None:
    clock = HybridClock(now=lambda: 500)
    remote = Stamp(9000, 3)
    merged = clock.observe(remote)
    assert merged > remote
    assert clock.tick() > merged


def test_parse_rejects_garbage() -> None:
    import pytest
    with pytest.raises(ValueError):
        Stamp.parse("yesterday")
