"""Rule sets: the default one, a city's own loaded from a file (versioned), errors, admin."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from lifecircle.models import RuleSet
from lifecircle.rulesets import ruleset_get, ruleset_load

pytestmark = pytest.mark.django_db


def test_default_ruleset_matches_fixture():
    rs = ruleset_get()
    rules = ruleset_load(rs)
    assert rs.name == "GB 50180-2018 + 完整居住社区"
    # 34 rules: 29 before issue 16, plus 生活垃圾收集点/收集站, 老年养护院, 街道办事处, 司法所
    assert len(rules.codes) == 34
    assert rules.tier_minutes == (3, 5, 10, 15)
    assert rules.distance_for(15, strict=True) == 800
    assert len(rules.complete_community_items) == 12


def test_city_ruleset_from_file_is_versioned(tmp_path):
    data = json.loads(
        (settings.BASE_DIR / "fixtures/rulesets/gb50180_2018.json").read_text()
    )
    data["name"] = "宁波市细则"
    data["version"] = 1
    data["categories"] = [c for c in data["categories"] if c["tier_minutes"] == 5]
    kept = {c["code"] for c in data["categories"]}
    data["capacity_standards"] = {
        k: v for k, v in data["capacity_standards"].items() if k in kept
    }
    data["complete_community_items"] = data["old_area_rules"] = []
    path = tmp_path / "ningbo.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_ruleset", str(path))
    call_command("load_ruleset", str(path))
    rs = RuleSet.objects.get(name="宁波市细则")
    assert rs.version == 2 and rs.rules.count() == 13  # the 5-minute rules
    assert RuleSet.objects.get(is_default=True).name != "宁波市细则"


def test_bad_ruleset_file_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps({"name": "x", "version": 1, "tiers": [], "categories": []})
    )
    with pytest.raises(CommandError):
        call_command("load_ruleset", str(path))
    assert not RuleSet.objects.filter(name="x").exists()


def test_ruleset_admin_edit_bumps_version(client):
    admin = get_user_model().objects.create_superuser(
        "root", "r@example.org", "pw-123456"
    )
    client.force_login(admin)
    rs = ruleset_get()
    before = rs.version
    url = f"/{settings.ADMIN_URL}lifecircle/ruleset/{rs.pk}/change/"
    assert client.get(url).status_code == 200
    page = client.get(url).context["adminform"].form
    data = {k: v for k, v in page.initial.items() if v is not None}
    # a JSON field's textarea holds the JSON text
    data["distance_decay"] = json.dumps(data["distance_decay"])
    data["checklist"] = json.dumps(data["checklist"], ensure_ascii=False)
    data["distance_5_m"] = 350
    data["is_default"] = "on"
    rules = list(rs.rules.all())
    prefix = "rules"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": len(rules),
            f"{prefix}-INITIAL_FORMS": len(rules),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, r in enumerate(rules):
        for f in (
            "id",
            "ruleset",
            "category",
            "tier_minutes",
            "service_radius_m",
            "source_clause",
        ):
            v = (
                getattr(r, f + "_id", None)
                if f in ("ruleset", "category")
                else getattr(r, f)
            )
            data[f"{prefix}-{i}-{f}"] = v if v is not None else ""
        if r.required:
            data[f"{prefix}-{i}-required"] = "on"
        for f in ("min_floor_area_m2", "min_site_area_m2"):
            data[f"{prefix}-{i}-{f}"] = (
                getattr(r, f) if getattr(r, f) is not None else ""
            )
        data[f"{prefix}-{i}-capacity"] = json.dumps(r.capacity)
    resp = client.post(url, data)
    assert resp.status_code == 302, (
        resp.context["adminform"].form.errors if resp.context else ""
    )
    rs.refresh_from_db()
    assert (rs.distance_5_m, rs.version) == (350, before + 1)
    assert rs.history.count() >= 2
