"""`manage.py lifecircle`: a table per district, --json, clear errors."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.geoapp import lifecircle_city

pytestmark = pytest.mark.django_db


def test_table_and_json():
    lifecircle_city.build()
    out = StringIO()
    call_command("lifecircle", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "run #" in text and "mean coverage score" in text
    out = StringIO()
    call_command("lifecircle", "--json", "--strict", stdout=out)
    data = json.loads(out.getvalue())
    assert data["parameters"]["strict"] is True
    assert data["summary"]["by_district"][0]["communities"] == 2


def test_unknown_rules_is_a_command_error():
    lifecircle_city.build()
    with pytest.raises(CommandError, match="unknown rule set"):
        call_command("lifecircle", "--rules", "nope", "--no-progress")
