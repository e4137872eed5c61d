"""Run the eSignet emulator: ``python3 g2p_auth_esignet/emulator --port 8088``.

Run as a directory, the package is loaded under a private name so that the
addon's ``__init__`` (which imports Odoo) is never executed.
"""

import sys

if not __package__:
    import importlib.util
    import pathlib

    here = pathlib.Path(__file__).resolve().parent
    # Do not let the package's modules shadow top-level modules.
    sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != here]
    spec = importlib.util.spec_from_file_location(
        "g2p_esignet_emulator",
        here / "__init__.py",
        submodule_search_locations=[str(here)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["g2p_esignet_emulator"] = module
    spec.loader.exec_module(module)
    from g2p_esignet_emulator.server import main
else:
    from .server import main

if __name__ == "__main__":
    sys.exit(main())
