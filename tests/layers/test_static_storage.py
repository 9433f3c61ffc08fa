"""The production static storage collects every file (hashed names inside the ES modules)."""

from django.core.management import call_command
from django.test import override_settings

from layers.storage import StaticStorage


def test_collectstatic_hashes_every_module_and_rewrites_its_imports(tmp_path):
    storages = {"staticfiles": {"BACKEND": "layers.storage.StaticStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        # a comment with the word "export " before the imports once made Django's
        # module-import rewriting hash a name twice (MissingFileError here)
        call_command("collectstatic", "--noinput", verbosity=0)
        storage = StaticStorage(location=tmp_path)
        name = storage.stored_name("maps/js/planner/blocks.js")
    assert name != "maps/js/planner/blocks.js"
    text = (tmp_path / name).read_text(encoding="utf-8")
    api = StaticStorage(location=tmp_path).stored_name("maps/js/lib/api.js")
    assert f'from "../lib/{api.rsplit("/", 1)[1]}"' in text
