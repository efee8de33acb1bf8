"""The package's front: every public name reachable, and `import vaetools` light (what it imports is checked,
not timed: the import costs next to nothing beyond torch once nothing heavy comes with it)."""
import subprocess
import sys

import pytest

import vaetools as vt

HEAVY = ("sklearn", "scipy", "pandas", "matplotlib", "seaborn", "torchvision", "PIL", "tqdm")


def _imported_after(code: str) -> set[str]:
    """The heavy top-level packages imported in a fresh interpreter after ``code``."""
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split()) & set(HEAVY)


def test_import_vaetools_imports_nothing_heavy():
    assert _imported_after("import vaetools") == set()


def test_a_detector_needs_neither_scikit_learn_nor_plotting():
    assert _imported_after("import vaetools as vt\nvt.Detector") <= {"pandas", "tqdm"}


def test_every_public_name_is_reachable_in_every_way():
    assert len(vt.__all__) > 100 and "Detector" in vt.__all__ and "standardized_sum" in vt.__all__
    for name in vt.__all__:
        assert getattr(vt, name) is not None, name
    namespace = {}
    exec("from vaetools import *", namespace)
    assert set(vt.__all__) <= set(namespace)
    from vaetools import Detector, plot_roc  # noqa: F401
    assert {"Detector", "fit", "__version__"} <= set(dir(vt))
    assert vt.plots.plot_roc is vt.plot_roc  # submodules too


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Detektor'"):
        vt.Detektor  # noqa: B018
    assert not hasattr(vt, "_private")
