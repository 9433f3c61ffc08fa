"""The home page: a map of every layer."""

from django.shortcuts import redirect, render

from planner.mapconfig import map_config


def home(request):
    """The internal map for signed-in users; anonymous visitors get the public map."""
    if not request.user.is_authenticated:
        return redirect("public-map")
    return render(request, "geoapp/home.html", {"map_config": map_config()})
