"""The door's tests: `pcscd` (a real pcscd + vpcd, started once per session) for test_pcsc.py."""

from federation_tests.door.pcsc import pcscd  # noqa: F401  (a fixture)
