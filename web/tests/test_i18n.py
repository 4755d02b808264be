import pytest
from django.urls import reverse

from accounts.tests.factories import FreelancerProfileFactory

pytestmark = pytest.mark.django_db


def test_english_is_ltr_by_default(client):
    html = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_language_switcher_sets_urdu_and_pages_render_rtl(client):
    response = client.post(reverse("set_language"), {"language": "ur", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="ur" dir="rtl">' in html
    assert "اردو" in html


@pytest.mark.parametrize(
    "url_name,english",
    [("web:home", "From client to rupees in the bank"), ("account_login", "Log in"), ("account_signup", "Sign up")],
)
def test_urdu_catalogue_translates_this_issues_pages(client, url_name, english):
    client.cookies["django_language"] = "ur"
    html = client.get(reverse(url_name)).content.decode()
    assert 'dir="rtl"' in html
    assert english not in html


def test_urdu_profile_page_and_dashboard(client):
    profile = FreelancerProfileFactory()
    client.cookies["django_language"] = "ur"
    client.force_login(profile.user)
    dashboard = client.get(reverse("web:dashboard")).content.decode()
    assert 'dir="rtl"' in dashboard
    assert "Edit your profile" not in dashboard
    edit = client.get(reverse("accounts:freelancer_profile_edit")).content.decode()
    assert "Save profile" not in edit


def test_urdu_search_pages_name_skills_in_urdu(client):
    from marketplace.tests.factories import make_job

    make_job(title="Shop", skills=["web-development"])
    client.cookies["django_language"] = "ur"
    html = client.get(reverse("marketplace:job_search")).content.decode()
    assert "ویب ڈویلپمنٹ" in html  # the skill's Urdu name, in the filter and on the card
    assert "Web development" not in html
    assert "منٹ" in html or "سال" in html or "گھنٹ" in html or "دن" in html  # "posted … ago" in Urdu


def test_every_page_has_a_description_and_an_icon(client):
    html = client.get("/").content.decode()
    assert '<meta name="description" content="Kamai: find work' in html
    assert 'rel="icon"' in html and "favicon.svg" in html
