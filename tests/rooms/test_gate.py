"""The door of the meetings: joins per source and per meeting, connections per source, with the clock in hand."""

from __future__ import annotations

from stayhere.rooms.live.gate import BURST_S, ROOMS_KEPT, JoinGate, Limits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gate(**limits: int) -> tuple[JoinGate, Clock]:
    clock = Clock()
    return JoinGate(Limits(**limits), b"secret", clock), clock


def test_a_source_may_join_its_allowance_at_once_then_is_told_when_to_try_again() -> None:
    door, clock = gate(per_source=3, per_room=0)
    source = door.source("203.0.113.7")
    assert [door.join("room", source) for _ in range(3)] == [None, None, None]
    wait = door.join("room", source)
    assert wait == 20.0, "three a minute: one more in 20 seconds"
    clock.now += 19
    assert door.join("room", source) == 1.0
    clock.now += 1
    assert door.join("room", source) is None


def test_one_source_using_its_allowance_never_slows_another() -> None:
    door, _ = gate(per_source=2, per_room=0)
    flood, other = door.source("203.0.113.7"), door.source("198.51.100.1")
    for _ in range(2):
        door.join("room", flood)
    assert door.join("room", flood) is not None
    assert door.join("room", other) is None


def test_a_meeting_takes_its_burst_then_its_rate_whoever_joins_and_other_meetings_are_not_touched() -> None:
    door, clock = gate(per_source=0, per_room=5)
    burst = int(5 * BURST_S)
    assert all(door.join("busy-room", door.source(f"10.0.{n // 250}.{n % 250}")) is None for n in range(burst))
    assert door.join("busy-room", door.source("10.9.9.9")) == 1.0
    assert door.join("quiet-room", door.source("10.9.9.9")) is None
    clock.now += 1
    assert [door.join("busy-room", None) for _ in range(6)].count(None) == 5


def test_a_refused_source_does_not_use_up_the_meetings_allowance() -> None:
    door, _ = gate(per_source=1, per_room=1)
    flood = door.source("203.0.113.7")
    door.join("room", flood)
    for _ in range(50):
        assert door.join("room", flood) is not None
    assert all(door.join("room", door.source(f"192.0.2.{n}")) is None for n in range(int(BURST_S) - 1))


def test_ipv6_addresses_of_one_network_are_one_source_and_sources_are_kept_only_as_keyed_hashes() -> None:
    door, _ = gate()
    a, b = door.source("2001:db8:1:2::10"), door.source("2001:db8:1:2:ffff::1")
    assert a == b and a != door.source("2001:db8:1:3::10")
    assert door.source("::ffff:203.0.113.7") == door.source("203.0.113.7")
    assert a is not None and "2001" not in a and len(a) == 24
    other_key = JoinGate(Limits(), b"another secret").source("2001:db8:1:2::10")
    assert other_key != a, "the hash is keyed with the site's secret"
    assert door.source(None) is None and door.source("") is None


def test_connections_open_at_once_from_one_source_are_capped_and_closing_gives_the_place_back() -> None:
    door, _ = gate(sockets_per_source=2)
    source = door.source("203.0.113.7")
    assert door.open_socket(source) and door.open_socket(source)
    assert not door.open_socket(source)
    assert door.open_socket(door.source("198.51.100.1")), "another source is counted apart"
    door.close_socket(source, seated=False)
    assert door.open_socket(source)
    for _ in range(5):
        door.close_socket(source, seated=False)
    assert source not in door.sockets, "nothing is kept for a source with no connection open"


def test_a_failed_resume_costs_its_source_a_join_but_resumes_are_never_refused_beforehand() -> None:
    door, _ = gate(per_source=2, per_room=0)
    source = door.source("203.0.113.7")
    door.failed(source)
    door.failed(source)
    assert door.join("room", source) is not None


def test_limits_set_to_zero_let_everything_through() -> None:
    door, _ = gate(per_source=0, sockets_per_source=0, per_room=0, unseated=0)
    source = door.source("203.0.113.7")
    assert all(door.join("room", source) is None for _ in range(1000))
    assert all(door.open_socket(source) for _ in range(1000))
    assert not door.sources and not door.rooms and not door.sockets


def test_the_gate_forgets_allowances_that_are_full_again_so_its_memory_is_bounded() -> None:
    door, clock = gate(per_source=0, per_room=1)
    for n in range(ROOMS_KEPT):
        door.join(f"room-{n}", None)
    clock.now += BURST_S
    door.join("one-more", None)
    assert len(door.rooms) <= ROOMS_KEPT and "one-more" in door.rooms
    assert len(door.rooms) == 1, "every other allowance was full again, so forgotten"


def test_a_flood_from_many_sources_is_capped_at_connections_holding_no_seat_and_seated_ones_never_count() -> None:
    door, _ = gate(sockets_per_source=0, unseated=3)
    sources = [door.source(f"10.0.0.{n}") for n in range(10)]
    assert [door.open_socket(source) for source in sources[:4]] == [True, True, True, False]
    door.seated()  # one of them joined: it holds a seat now, and a new connection may wait in its place
    assert door.open_socket(sources[4]) and not door.open_socket(sources[5])
    door.close_socket(sources[4], seated=False)
    assert door.open_socket(sources[5])
    door.close_socket(sources[0], seated=True)  # a seated connection closing frees no unseated place
    assert not door.open_socket(sources[6])
