"""The repository's test emulators (``tests/emulators/``) for the Odoo tests.

Emulators are test doubles, never shipped in an addon's wheel: they are found
in the checkout this addon is loaded from. An addon installed from a wheel has
none, and the test classes that start one are skipped.
"""

import importlib.util
import sys
import unittest
from pathlib import Path

EMULATORS_DIR = Path(__file__).resolve().parents[2] / "tests" / "emulators"


def load_emulator(name):
    """The package ``tests/emulators/<name>``, imported under a private name.

    The emulators use relative imports only, so neither ``tests/`` nor the
    emulator's folder is put on ``sys.path``. Without a checkout, returns a
    stand-in whose classes raise ``unittest.SkipTest`` when instantiated (in
    ``setUpClass``, that skips the test class with the reason).
    """
    module_name = f"_g2p_test_emulator_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    folder = EMULATORS_DIR / name
    if not (folder / "__init__.py").is_file():
        return _MissingEmulator(name, folder)
    return load_module(
        module_name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )


def load_module(module_name, path, **spec_options):
    """Import the file ``path`` (a package's ``__init__.py`` with
    ``submodule_search_locations``) as ``module_name``, once."""
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path, **spec_options)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


class _MissingEmulator:
    """Stands for an emulator that is not there: using any of its classes skips."""

    def __init__(self, name, folder):
        self.reason = (
            f"the {name} emulator is not installed with the addon ({folder} is "
            "missing): run these tests from a checkout of the repository"
        )

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)

        def skip(*args, **kwargs):
            raise unittest.SkipTest(self.reason)

        return skip
