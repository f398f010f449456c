"""Ancillary inputs: readers of region masks, taxa biomass and export pathways."""
