"""Test doubles of the services the addons talk to, never shipped in a wheel.

``esignet/``: MOSIP eSignet (OpenID Connect provider). Each emulator is a
package with relative imports only, started as ``python3 tests/emulators/NAME``.
"""
