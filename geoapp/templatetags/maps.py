"""``{% page_map "map" %}``: django-leaflet's map without its inline script (CSP).

django-leaflet's ``{% leaflet_map %}`` writes its options into an inline ``<script>``.
This tag takes the same options from django-leaflet (``LEAFLET_CONFIG``) and writes them
as a JSON data element beside the container; ``static/maps/js/lib/djmap.js`` hands them to
django-leaflet's own ``L.Map.djangoMap``, which fires ``map:init`` as before.
"""

import json

from django import template
from leaflet.templatetags.leaflet_tags import leaflet_map

register = template.Library()


@register.inclusion_tag("maps/page_map.html")
def page_map(name: str = "map") -> dict:
    options = leaflet_map(name)
    return {
        "name": name,
        "options_id": f"{name}-leaflet-options",
        "options": {
            "djoptions": json.loads(options["djoptions"]),
            "loadevents": json.loads(options["loadevents"]),
        },
    }
