"""The node's public graph as linked data: SPARQL, open-data exports."""
