"""The site has no models of its own: the run record is :mod:`runs.models`, the life
circle's rule sets and results :mod:`lifecircle.models` (their tables keep the
``geoapp_`` names they were created with)."""
