"""The door on a real PC/SC stack: pcscd + vpcd setup, a card emulator, pytest fixtures."""
