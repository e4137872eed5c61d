"""Test doubles of the services the addons talk to, never shipped in a wheel.

``esignet/``: MOSIP eSignet (OpenID Connect provider); ``sbi/``: a MOSIP
Secure Biometric Interface device service (SBI / MDS 0.9.5). Each emulator is a
package with relative imports only, started as ``python3 tests/emulators/NAME``.
"""
