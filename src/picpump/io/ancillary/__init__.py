"""Ancillary inputs: the verified download cache, regions, taxa, export pathways."""
