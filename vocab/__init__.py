"""The Interlieux JSON-LD vocabulary: the `tl:` namespace and the contexts documents use."""
