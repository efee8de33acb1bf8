import copy

import numpy as np
import pytest
import torch

import vaetools as vt


def _images(n=8, size=6):
    return torch.rand(n, 1, size, size, generator=torch.Generator().manual_seed(0))


def test_a_quarter_turn_is_numpys_and_four_make_a_full_circle():
    x = _images()
    assert np.array_equal(vt.quarter_turn(x, 1).numpy(), np.rot90(x.numpy(), 1, axes=(-2, -1)))
    assert torch.equal(vt.quarter_turn(vt.quarter_turn(x, 3), 1), x)
    assert not torch.equal(vt.quarter_turn(x, 2), x)


def test_random_quarter_turns_turn_each_image_by_a_seeded_draw():
    x = _images(n=200)
    turned = vt.random_quarter_turns(x, torch.Generator().manual_seed(3))
    again = vt.random_quarter_turns(x, torch.Generator().manual_seed(3))
    assert torch.equal(turned, again)
    found = [next(t for t in vt.TURNS if torch.equal(vt.quarter_turn(x[i : i + 1], t), turned[i : i + 1]))
             for i in range(len(x))]
    assert set(found) == set(vt.TURNS)  # every turn is drawn, upright included
    assert torch.equal(x, _images(n=200))  # the input is left alone


def test_random_turns_and_flips_draw_all_eight_symmetries_on_top_of_the_same_turns():
    x = _images(n=400)
    drawn = vt.random_turns_and_flips(x, torch.Generator().manual_seed(3))
    assert torch.equal(drawn, vt.random_turns_and_flips(x, torch.Generator().manual_seed(3)))
    turned = vt.random_quarter_turns(x, torch.Generator().manual_seed(3))  # the same turns, drawn first
    mirrored = [bool(torch.equal(drawn[i], turned[i].flip(-1))) for i in range(len(x))]
    assert all(mirrored[i] or torch.equal(drawn[i], turned[i]) for i in range(len(x)))
    symmetries = {(next(t for t in vt.TURNS if torch.equal(vt.quarter_turn(x[i : i + 1], t), turned[i : i + 1])),
                   mirrored[i]) for i in range(len(x))}
    assert len(symmetries) == 8  # every turn, plain and mirrored
    assert 0.4 < np.mean(mirrored) < 0.6
    assert torch.equal(x, _images(n=400))  # the input is left alone


def test_turns_need_square_images():
    with pytest.raises(ValueError, match="square"):
        vt.random_quarter_turns(torch.rand(4, 1, 6, 5), torch.Generator())
    with pytest.raises(ValueError, match="square"):
        vt.quarter_turn(torch.rand(4, 6), 1)


def test_turn_restoration_error_averages_the_upright_error_over_the_four_turns():
    x = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    model = vt.ConvVAE(z_dim=4, channels=(4, 8))
    errors = [((vt.reconstruct(model, vt.quarter_turn(x, t)) - x) ** 2).flatten(1).mean(1) for t in vt.TURNS]
    expected = torch.stack(errors).mean(0).numpy()
    assert np.allclose(vt.turn_restoration_error(model, x, batch_size=5), expected, rtol=1e-5)
    upright = vt.score_table(model, x, scores=("mse",))["mse"].to_numpy()
    assert not np.allclose(expected, upright)  # the turned inputs count


def test_with_flips_the_error_also_averages_over_the_mirrored_turns():
    x = torch.rand(16, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    model = vt.ConvVAE(z_dim=4, channels=(4, 8))
    errors = [((vt.reconstruct(model, vt.quarter_turn(x, t).flip(-1)) - x) ** 2).flatten(1).mean(1) for t in vt.TURNS]
    mirrored = torch.stack(errors).mean(0).numpy()
    turns = vt.turn_restoration_error(model, x)
    assert np.allclose(vt.turn_restoration_error(model, x, flips=True, batch_size=5), (turns + mirrored) / 2, rtol=1e-5)
    assert not np.allclose(mirrored, turns)  # the mirrored inputs count


def test_fit_encodes_the_corrupted_batch_and_scores_the_clean_one(written_out_fit):
    x = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(2)).round()
    model = vt.ConvVAE(z_dim=4, channels=(4, 8))
    plain = copy.deepcopy(model)
    history = vt.fit(model, x, epochs=1, batch_size=16, seed=3, warm_start=True, progress=False,
                     corrupt=vt.random_quarter_turns)
    # the loop written out: the encoder sees the turned batch, the likelihood is that of the upright one
    losses = written_out_fit(plain, x, epochs=1, batch_size=16, seed=3, corrupt=vt.random_quarter_turns)
    assert np.isclose(losses[0], history["loss"].iloc[0], rtol=1e-6)
    for (name, a), b in zip(model.state_dict().items(), plain.state_dict().values()):
        assert torch.allclose(a, b, atol=1e-6), name


def test_a_corruption_that_changes_the_shape_is_named_in_the_error():
    x = torch.rand(8, 1, 28, 28)
    with pytest.raises(ValueError, match="corrupt must return a tensor of the batch's shape"):
        vt.fit(vt.ConvVAE(z_dim=2, channels=(4, 8)), x, epochs=1, progress=False,
               corrupt=lambda batch, generator: batch[:, :, :14])


def test_identity_corruption_trains_the_same_weights_as_none():
    x = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(4))
    plain, hooked = vt.ConvVAE(z_dim=4, channels=(4, 8)), vt.ConvVAE(z_dim=4, channels=(4, 8))
    vt.fit(plain, x, epochs=2, batch_size=16, seed=5, progress=False)
    vt.fit(hooked, x, epochs=2, batch_size=16, seed=5, progress=False, corrupt=lambda batch, generator: batch)
    for (name, a), b in zip(plain.state_dict().items(), hooked.state_dict().values()):
        assert torch.equal(a, b), name
