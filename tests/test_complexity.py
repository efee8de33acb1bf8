"""Tests of the input-complexity correction (vaetools.complexity)."""
import math

import numpy as np
import pytest
import torch

from vaetools.complexity import complexity_score, complexity_weight, input_complexity


@pytest.mark.parametrize("codec", ["webp", "png"])
def test_blank_images_are_simpler_than_noise(codec):
    blank = torch.zeros(3, 1, 28, 28)
    noise = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    bits_blank, bits_noise = input_complexity(blank, codec), input_complexity(noise, codec)
    assert bits_blank.shape == (3,)
    assert (bits_blank > 0).all()
    assert (bits_noise > 2 * bits_blank).all()
    # deterministic, and the channel axis is optional
    assert np.array_equal(input_complexity(noise[:, 0].numpy(), codec), bits_noise)


def test_webp_codes_a_digit_shorter_than_png():
    stroke = torch.zeros(1, 1, 28, 28)
    stroke[0, 0, 4:24, 12:15] = torch.linspace(0.2, 1.0, 20)[:, None]
    assert input_complexity(stroke, "webp")[0] < input_complexity(stroke, "png")[0]


@pytest.mark.parametrize("bad", [torch.full((2, 1, 8, 8), 1.5), torch.zeros(2, 2, 8, 8), torch.zeros(0, 8, 8)])
def test_input_complexity_rejects_bad_inputs(bad):
    with pytest.raises(ValueError):
        input_complexity(bad)


def test_input_complexity_rejects_an_unknown_codec():
    with pytest.raises(ValueError, match="unknown codec"):
        input_complexity(torch.zeros(1, 8, 8), codec="gif")


def test_complexity_score_is_bits_of_the_model_minus_bits_of_the_compressor():
    nll = np.array([math.log(2) * 100.0, 0.0])
    assert np.allclose(complexity_score(nll, np.array([40.0, 8.0])), [60.0, -8.0])
    with pytest.raises(ValueError):
        complexity_score(nll, np.ones(3))


def test_complexity_score_weighs_the_code_length():
    nll = np.array([math.log(2) * 100.0, 0.0])
    assert np.allclose(complexity_score(nll, np.array([40.0, 8.0]), weight=0.5), [80.0, -4.0])
    assert np.allclose(complexity_score(nll, np.array([40.0, 8.0]), weight=0.0), [100.0, 0.0])


def test_complexity_weight_is_the_slope_that_leaves_normal_scores_least_spread():
    rng = np.random.default_rng(0)
    complexity = rng.uniform(1000, 2000, 500)
    bits = 0.6 * complexity + rng.normal(0, 20, 500)
    weight = complexity_weight(bits * math.log(2), complexity)
    assert weight == pytest.approx(0.6, abs=0.02)
    spread = [complexity_score(bits * math.log(2), complexity, w).std() for w in (0.0, weight, 1.0)]
    assert spread[1] < min(spread[0], spread[2])


@pytest.mark.parametrize("nll, complexity", [([1.0], [2.0]), ([1.0, 2.0], [3.0, 3.0]),
                                             ([1.0, np.nan], [1.0, 2.0]), ([1.0, 2.0], [1.0, 2.0, 3.0])])
def test_complexity_weight_rejects_what_it_cannot_fit(nll, complexity):
    with pytest.raises(ValueError):
        complexity_weight(np.array(nll), np.array(complexity))
