"""Reading archives into the canonical form.

The month reader, ONE set of canonical rules, ARCO Zarr and ingest-store openers.
"""
