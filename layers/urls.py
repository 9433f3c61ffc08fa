"""Layer pages: the import form and the export downloads."""

from django.urls import path

from . import views

app_name = "layers"
urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("export/<slug:layer>.<slug:fmt>", views.export_view, name="export"),
]
