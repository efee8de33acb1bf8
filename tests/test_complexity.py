"""Tests of the input-complexity correction (vaetools.complexity)."""
import math

import numpy as np
import pytest
import torch

from vaetools.complexity import (
    ComplexityCorrection,
    complexity_score,
    complexity_weight,
    input_complexity,
    restoration_nll,
)


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


def _strokes(n, seed):
    """Images of 1-4 random bright bars, so that their code lengths differ."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 1, 12, 12))
    for image in x:
        for _ in range(rng.integers(1, 5)):
            r, c = rng.integers(0, 9, 2)
            image[0, r:r + 3, c:c + rng.integers(1, 4)] = rng.uniform(0.5, 1.0)
    return x


def test_complexity_correction_is_the_written_out_formula():
    x_val, x = _strokes(40, 0), _strokes(10, 1)
    rng = np.random.default_rng(2)
    errors_val, errors = rng.uniform(0.01, 0.05, 40), rng.uniform(0.01, 0.08, 10)
    fitted = ComplexityCorrection.fit(errors_val, x_val)
    # sigma2: the normal validation images' mean error; the weight: the least-spread slope of their bits
    sigma2 = errors_val.mean()
    bits_val = restoration_nll(errors_val, sigma2, 144)
    assert fitted.sigma2 == sigma2 and fitted.size == 144 and fitted.codec == "webp"
    assert fitted.weight == complexity_weight(bits_val, input_complexity(x_val))
    expected = complexity_score(restoration_nll(errors, sigma2, 144), input_complexity(x), fitted.weight)
    np.testing.assert_array_equal(fitted.score(errors, x), expected)
    np.testing.assert_array_equal(fitted.score(errors, lengths=input_complexity(x)), expected)
    serra = ComplexityCorrection.fit(errors_val, x_val, weighted=False, codec="png")
    assert serra.weight == 1.0
    np.testing.assert_allclose(serra.score(errors, x),
                               restoration_nll(errors, sigma2, 144) / math.log(2) - input_complexity(x, "png"))


def test_complexity_correction_says_what_is_wrong():
    x_val = _strokes(5, 0)
    with pytest.raises(ValueError, match="one value per image"):
        ComplexityCorrection.fit(np.ones(4), x_val)
    with pytest.raises(ValueError, match="sigma2"):
        ComplexityCorrection.fit(np.zeros(5), x_val)
    fitted = ComplexityCorrection.fit(np.linspace(0.1, 0.2, 5), x_val)
    with pytest.raises(ValueError, match="code lengths"):
        fitted.score(np.ones(5))
    with pytest.raises(ValueError, match="144 values"):
        fitted.score(np.ones(2), np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="unknown codec"):
        ComplexityCorrection(1.0, 1.0, 144, "gif")
