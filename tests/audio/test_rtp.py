"""The plain RTP participant's arithmetic: G.711 mu-law and the energy measures the audio tests rely on."""

from __future__ import annotations

import math

from stayhere.audio.rtp import FRAME, mulaw_decode, mulaw_encode, rms, tone, tone_power


def test_mulaw_round_trips_within_its_quantisation_step() -> None:
    for sample in (-32000, -1000, -1, 0, 1, 100, 1000, 8000, 32000):
        back = mulaw_decode(bytes([mulaw_encode(sample)]))[0]
        assert abs(back - sample) <= max(8, abs(sample) // 16)


def test_silence_encodes_to_the_mulaw_zero_and_measures_nothing() -> None:
    assert mulaw_encode(0) == 0xFF
    assert rms(mulaw_decode(bytes([0xFF]) * FRAME)) == 0.0


def test_a_tone_is_found_at_its_own_frequency_and_not_at_another() -> None:
    samples = [s for frame in tone(440, 25) for s in mulaw_decode(frame)]
    assert len(samples) == 25 * FRAME
    expected = 0.5 * 32000 / math.sqrt(2)
    assert abs(rms(samples) - expected) < 0.05 * expected
    assert abs(tone_power(samples, 440) - expected) < 0.05 * expected
    assert tone_power(samples, 1000) < 0.02 * expected
