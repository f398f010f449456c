"""The embedded demo archive: synthetic monthly ocean colour in the real file conventions.

``picpump demo build`` calls :func:`build_demo_archive`, which writes 302 months
(1997-09 … 2022-10 by default) of PIC, PAR, KD490 and POC in the GlobColour L3m layout,
SST in the NASA OB.DAAC L3m layout, NPP in the Copernicus Marine layout, a 1° bathymetry
and a ``MANIFEST.json``. ``catalogs/demo.yaml`` describes the archive. Every file says
``synthetic demo data``.

Modules: :mod:`~picpump.demo.naming` (months, sensor eras, file names),
:mod:`~picpump.demo.geography` (land, coasts, bathymetry, smooth noise),
:mod:`~picpump.demo.climate` (sun, seasons, sea ice), :mod:`~picpump.demo.fields`
(the monthly fields and gaps), one writer module per file convention
(:mod:`~picpump.demo.globcolour`, :mod:`~picpump.demo.nasa`,
:mod:`~picpump.demo.copernicus`, helpers in :mod:`~picpump.demo.netcdf`), and
:mod:`~picpump.demo.build` (the build and its manifest).
"""

from picpump.demo.build import MANIFEST, build_demo_archive, read_manifest

__all__ = ["MANIFEST", "build_demo_archive", "read_manifest"]
