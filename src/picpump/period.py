"""A period of whole months, parsed once at the edge (spec, command line, ingest)."""
