"""Receiving: verify, store, answer 202; then apply each activity once."""
