"""manage.py site_amenities: the ranked list and the chosen set with objectives and times."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_prints_ranking_and_chosen_set(siting_city):
    out = io.StringIO()
    call_command("site_amenities", "elderly_daycare", "--k", "2", stdout=out)
    text = out.getvalue()
    assert "L2" in text and "L3" in text and "V1" in text
    assert "exact: objective 6500 residents" in text
    assert "greedy: objective 6500 residents" in text
    assert "times:" in text
    assert "R " not in text.split("rank", 1)[1].split("greedy:")[0]


def test_json_output(siting_city):
    out = io.StringIO()
    call_command(
        "site_amenities",
        "elderly_daycare",
        "--tier",
        "5",
        "--k",
        "1",
        "--method",
        "greedy",
        "--district",
        siting_city["district"].code,
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["summary"]["objectives"]["greedy"]["objective_residents"] == 3500
    assert data["candidates"][0]["candidate_code"] == "L2"
    assert data["candidates"][0]["chosen_greedy"] is True


def test_bad_input_is_a_command_error(siting_city):
    with pytest.raises(CommandError, match="unknown category"):
        call_command("site_amenities", "no_such", stdout=io.StringIO())
    with pytest.raises(CommandError, match="between 1 and 200"):
        call_command(
            "site_amenities", "elderly_daycare", "--k", "0", stdout=io.StringIO()
        )
