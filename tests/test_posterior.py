"""The posterior file: written and read back unchanged, drawn by weight, found through ``extends``."""

from pathlib import Path

import numpy as np
import pytest

from sim.posterior import Posterior, find_posterior, posterior_file, read_posterior, write_posterior

NAMES = ("uncertainties.behaviour.graduate_candidates_per_year", "uncertainties.productivity_trend_per_year")


def _posterior() -> Posterior:
    return Posterior(parameters=NAMES, values=np.array([[1.0, 0.01], [2.0, 0.02], [3.0, 0.03]]), weights=np.array([1.0, 1.0, 8.0]))


def test_round_trip(tmp_path: Path) -> None:
    written = write_posterior(tmp_path / "x_posterior.parquet", _posterior(), summary={"particles": 3})
    back = read_posterior(written[0])
    assert back.parameters == NAMES
    np.testing.assert_array_equal(back.values, _posterior().values)
    np.testing.assert_allclose(back.weights, [0.1, 0.1, 0.8])
    assert written[1].read_text(encoding="utf-8").startswith("particles: 3")


def test_draws_follow_the_weights_and_the_seed() -> None:
    posterior = _posterior()
    draws = posterior.draw(4000, seed=5)
    share = np.mean([d[NAMES[0]] == 3.0 for d in draws])
    assert abs(share - 0.8) < 0.03
    assert draws[:20] == posterior.draw(20, seed=5)[:20]
    assert posterior.draw(20, seed=6) != posterior.draw(20, seed=5)


def test_weighted_summaries() -> None:
    posterior = _posterior()
    assert posterior.mean()[NAMES[0]] == pytest.approx(0.1 * 1 + 0.1 * 2 + 0.8 * 3)
    assert posterior.quantile(0.05)[NAMES[0]] == 1.0
    assert posterior.quantile(0.5)[NAMES[0]] == 3.0
    assert posterior.effective_sample_size == pytest.approx(1 / (0.01 + 0.01 + 0.64))


def test_a_policy_uses_the_posterior_of_the_scenario_it_extends(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("name: base\n", encoding="utf-8")
    (tmp_path / "policy.yaml").write_text("name: policy\nextends: base.yaml\n", encoding="utf-8")
    assert find_posterior(tmp_path / "policy.yaml") is None
    write_posterior(posterior_file(tmp_path / "base.yaml"), _posterior())
    assert find_posterior(tmp_path / "policy.yaml") == posterior_file(tmp_path / "base.yaml").resolve()


@pytest.mark.parametrize("weights", [[0.0, 0.0, 0.0], [1.0, -1.0, 1.0], [1.0, 1.0]])
def test_bad_weights_are_refused(weights: list[float]) -> None:
    with pytest.raises(ValueError):
        Posterior(parameters=NAMES, values=_posterior().values, weights=np.array(weights))


def test_a_file_that_is_not_a_posterior_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "bad_posterior.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(ValueError, match="bad_posterior.parquet"):
        read_posterior(bad)


def test_particles_numbered_below_zero_are_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "x_posterior.parquet"
    pq.write_table(pa.table({"particle": [-1, 1], "weight": [1.0, 1.0], "parameter": [NAMES[0]] * 2, "value": [1.0, 2.0]}), path)
    with pytest.raises(ValueError, match="numbered from 0"):
        read_posterior(path)
