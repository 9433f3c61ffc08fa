"""The demo city's residents' voice (geoapp.demo.generator.voice): deterministic, a mix
of published, pending and rejected messages that the service's rules accept, loaded
with the city and read by the public as published replies only."""

from __future__ import annotations

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from accounts.permissions import SYSTEM
from geoapp.demo import load
from geoapp.demo.generator import generate_city
from geoapp.demo.generator.voice import ACTIVE_STAGES, suggestions
from public import publishing
from voice.models import Kind, Status, Suggestion, Topic
from voice.services import clean_submission


@pytest.fixture(scope="module")
def small_city():
    return generate_city(seed=3, scale="small")


def test_deterministic_and_seeded(small_city):
    again = suggestions(small_city.communities, seed=3)
    pd.testing.assert_frame_equal(small_city.suggestions, again)
    other = suggestions(small_city.communities, seed=4)
    assert not other["community_code"].equals(again["community_code"])


def test_a_realistic_mix_on_communities_under_way(small_city):
    s = small_city.suggestions
    assert 30 <= len(s) <= 40
    counts = s["status"].value_counts()
    assert counts["published"] >= 8 and counts["pending"] >= 8
    assert counts["rejected"] >= 2
    assert s["community_code"].nunique() >= 8
    stages = small_city.communities.set_index("code")["stage"]
    assert stages[s["community_code"]].isin(ACTIVE_STAGES).all()
    assert set(s["topic"]) <= set(Topic.values) and len(set(s["topic"])) >= 6
    assert set(s["kind"]) == set(Kind.values)
    published = s[s["status"] == "published"]
    assert (published["reply"].str.len() > 5).all()
    assert (s[s["status"] == "pending"]["reply"] == "").all()
    assert s["moderated_at"].isna().equals(s["status"] == "pending")
    assert (
        s["moderated_at"].dropna() > s.loc[s["moderated_at"].notna(), "created_at"]
    ).all()


def test_every_demo_message_passes_the_submission_rules(small_city):
    for r in small_city.suggestions.itertuples():
        clean_submission(
            {
                "community": r.community_code,
                "topic": r.topic,
                "kind": r.kind,
                "text": r.text,
                "contact": r.contact,
            }
        )


@pytest.mark.django_db
def test_loaded_with_the_city_and_public_as_published_replies(small_city):
    counts = load.city_load(small_city, source="demo:test")
    frame = small_city.suggestions
    assert counts["suggestions"] == len(frame) == Suggestion.objects.count()
    first = Suggestion.objects.order_by("created_at").first()
    assert first.created_at == frame["created_at"].min().to_pydatetime()
    publishing.publish(SYSTEM)
    code = frame[frame["status"] == "published"]["community_code"].iloc[0]
    body = Client().get(reverse("public-voice", args=[code])).json()
    expected = Suggestion.objects.filter(
        community__code=code, status=Status.PUBLISHED
    ).count()
    assert len(body["items"]) == expected > 0
    contacts = [c for c in frame[frame["community_code"] == code]["contact"] if c]
    raw = Client().get(reverse("public-voice", args=[code])).content.decode()
    assert not any(c in raw for c in contacts)
    # loading again replaces them
    load.layers_clear()
    load.city_load(small_city, source="demo:test")
    assert Suggestion.objects.count() == len(frame)
