"""Programme models: the data migration loads the catalogue and the rule data (二(二))."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError

from programme import selectors
from programme.models import DataVersion, WorksItem

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "programme"


def test_clause_2_2_catalogue_loaded_with_three_categories():
    data = json.loads((FIXTURES / "works_catalogue.json").read_text(encoding="utf-8"))
    codes = {i["code"] for i in data["versions"][-1]["items"]}
    assert set(WorksItem.objects.values_list("code", flat=True)) == codes
    assert set(WorksItem.objects.values_list("category", flat=True)) == {
        "basic",
        "improvement",
        "enhancement",
    }
    lift = WorksItem.objects.get(code="lift")
    assert (lift.category, lift.special_item, lift.owners_copay) == (
        "improvement",
        "lift",
        True,
    )
    assert lift.unit_cost == Decimal("650000.00")
    assert WorksItem.objects.get(code="municipal_infrastructure").area_project_only


def test_every_data_file_loaded_with_effective_dates():
    for kind in DataVersion.Kind.values:
        data = selectors.programme_data(kind)
        assert data["versions"], kind
        assert all(v["effective_from"] for v in data["versions"])
    # Two vote-threshold versions: 物权法第76条 then 民法典第278条.
    laws = [v["law"] for v in selectors.programme_data("vote_thresholds")["versions"]]
    assert laws == ["物权法第76条", "民法典第278条"]


def test_unknown_data_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown programme data kind"):
        selectors.programme_data("lottery")


def test_negative_unit_cost_refused_by_the_database():
    with pytest.raises(IntegrityError):
        WorksItem.objects.create(
            code="x", name_zh="x", category="basic", unit_cost=Decimal("-1")
        )
