"""The Badge Inter-Lieux: peers, grants, the trust bundle doors verify with, taps and visits."""
