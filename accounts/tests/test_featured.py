"""The home page's featured freelancers: spread over cities and main skills, faces first, stable for a day."""

from datetime import date

import pytest

from accounts.models import Skill
from accounts.selectors import featured_freelancers
from accounts.tests.factories import FreelancerProfileFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def people(spec):
    """spec: (city, skill slug) per profile."""
    skills = {skill.slug: skill for skill in Skill.objects.all()}
    made = []
    for city, slug in spec:
        profile = FreelancerProfileFactory(city=city)
        profile.skills.set([skills[slug]])
        made.append(profile)
    return made


def test_no_two_share_a_city_or_main_skill_while_others_exist():
    # Twelve Lahore web developers updated last (so they fill the top of the window), then six who differ.
    people([("lahore", "web-development")] * 12)
    people(
        [
            ("karachi", "graphic-design"),
            ("islamabad", "seo"),
            ("peshawar", "translation"),
            ("multan", "accounting"),
            ("quetta", "virtual-assistance"),
        ]
    )
    chosen = featured_freelancers(day=DAY, limit=6)
    assert len(chosen) == 6
    cities = [p.city for p in chosen]
    skills = [p.skills.all()[0].slug for p in chosen]
    assert len(set(cities)) == 6 and len(set(skills)) == 6


def test_fills_up_when_there_are_fewer_cities_than_places():
    people([("lahore", "web-development")] * 4 + [("karachi", "seo")] * 4)
    chosen = featured_freelancers(day=DAY, limit=6)
    assert len(chosen) == 6
    assert {p.city for p in chosen[:2]} == {"lahore", "karachi"}


def test_same_day_same_choice_another_day_another_order():
    made = people([(city, "web-development") for city in ["lahore", "karachi", "multan", "quetta"] * 10])
    first = [p.pk for p in featured_freelancers(day=DAY)]
    assert first == [p.pk for p in featured_freelancers(day=DAY)]
    # One of the others edits their profile: the day's choice does not reshuffle around them.
    outsider = next(p for p in made if p.pk not in first)
    outsider.headline = "Edited"
    outsider.save()
    assert [p.pk for p in featured_freelancers(day=DAY)] == first
    later = {tuple(p.pk for p in featured_freelancers(day=date(2026, 12, n))) for n in range(2, 9)}
    assert any(choice != tuple(first) for choice in later)


def test_faces_come_first():
    made = people([("lahore", "web-development"), ("karachi", "seo"), ("multan", "translation")])
    made[2].photo_small = "photos/x-96.webp"
    made[2].photo = "photos/x-320.webp"
    made[2].save()
    assert featured_freelancers(day=DAY, limit=3)[0].pk == made[2].pk


def test_inactive_and_headline_less_profiles_are_left_out():
    kept, gone, blank = people([("lahore", "seo"), ("karachi", "seo"), ("multan", "seo")])
    gone.user.is_active = False
    gone.user.save()
    blank.headline = ""
    blank.save()
    assert [p.pk for p in featured_freelancers(day=DAY)] == [kept.pk]


def test_a_constant_number_of_queries(django_assert_max_num_queries):
    people([("lahore", "web-development"), ("karachi", "seo")] * 20)
    with django_assert_max_num_queries(4):
        chosen = featured_freelancers(day=DAY)
        for profile in chosen:
            list(profile.skills.all())
