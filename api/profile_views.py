"""Profiles through the API: your own freelancer profile (read and change what its edit page edits, checked by
that page's form and saved by the same service), your portfolio (the same services, the same image checks), and
anyone's public profile by its address (what the public page shows). Another freelancer's portfolio item is a
404 problem; an address no active freelancer has is a 404 too."""

import hashlib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.forms import FreelancerProfileForm
from accounts.models import FreelancerProfile, PortfolioItem, Skill
from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.problems import Refused, refused_by
from api.profile_serializers import (
    SLUG_PATTERN,
    OwnProfileSerializer,
    PortfolioItemCreateSerializer,
    PortfolioItemSerializer,
    PortfolioItemUploadSerializer,
    ProfileUpdateSerializer,
    PublicProfileSerializer,
)
from api.views import IDEMPOTENCY, _key
from marketplace import selectors as market


def _valid(serializer_class, data):
    body = serializer_class(data=data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _form_values(profile: FreelancerProfile) -> dict:
    """The profile as its edit page's form would be posted, unchanged."""
    return {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "headline": profile.headline,
        "bio": profile.bio,
        "city": profile.city,
        "skills": [str(pk) for pk in profile.skills.values_list("pk", flat=True)] if profile.pk else [],
        "hourly_rate": "" if profile.hourly_rate is None else str(profile.hourly_rate),
        "rate_currency": profile.rate_currency,
        "languages": list(profile.languages),
        "availability": profile.availability,
        "pseb_registration_number": profile.pseb_registration_number,
        "pseb_expires_on": profile.pseb_expires_on.isoformat() if profile.pseb_expires_on else "",
        "ntn": profile.ntn,
    }


def _changes(data: dict) -> dict:
    """The fields sent, as the page's form takes them (skill ids, text amounts and dates)."""
    changes = dict(data)
    if "skills" in changes:
        slugs = changes["skills"]
        skills = dict(Skill.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = sorted(set(slugs) - set(skills))
        if unknown:
            raise ValidationError({"skills": [_("There is no skill “%(slug)s”.") % {"slug": slug} for slug in unknown]})
        changes["skills"] = [str(skills[slug]) for slug in slugs]
    if "hourly_rate" in changes:
        changes["hourly_rate"] = "" if changes["hourly_rate"] is None else str(changes["hourly_rate"])
    if "pseb_expires_on" in changes:
        changes["pseb_expires_on"] = changes["pseb_expires_on"].isoformat() if changes["pseb_expires_on"] else ""
    return changes


def _form_errors(form) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


class OwnProfile(APIView):
    """GET: your freelancer profile as its edit page shows it (a default one until first saved). PATCH: change
    the fields you send; the others keep their values. The page's checks apply: a taken address or an expiry
    date without a PSEB number is a 409 with the page's messages, and nothing is saved."""

    parser_classes = [JSONParser]

    @extend_schema(responses=OwnProfileSerializer)
    def get(self, request):
        profile = account_selectors.freelancer_profile_or_default(user=request.user)
        return Response(OwnProfileSerializer(profile).data)

    @extend_schema(request=ProfileUpdateSerializer, responses=OwnProfileSerializer)
    def patch(self, request):
        data = _valid(ProfileUpdateSerializer, request.data)
        changes = _changes(data)
        with transaction.atomic():
            # As the page does: the first save creates the profile (rolled back with the rest on a refusal).
            profile = account_services.freelancer_profile_ensure(user=request.user)
            form = FreelancerProfileForm({**_form_values(profile), **changes}, profile=profile)
            if not form.is_valid():
                raise Refused(_("The profile was not saved."), errors=_form_errors(form))
            try:
                account_services.freelancer_profile_update(profile=profile, **form.cleaned_data)
            except DjangoValidationError as error:
                raise refused_by(error) from None
        profile = FreelancerProfile.objects.prefetch_related("skills").get(pk=profile.pk)
        return Response(OwnProfileSerializer(profile).data)


def _own_item(request, pk) -> PortfolioItem:
    item = PortfolioItem.objects.filter(pk=pk, profile__user=request.user).first()
    if item is None:
        raise NotFound
    return item


class Portfolio(ListAPIView):
    """GET: your portfolio items, newest first. POST: add one (JSON, or multipart with an `image`, checked and
    re-encoded as on the page)."""

    serializer_class = PortfolioItemSerializer
    pagination_class = NewestFirst
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return PortfolioItem.objects.filter(profile__user=self.request.user).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request={
            "application/json": PortfolioItemCreateSerializer,
            "multipart/form-data": PortfolioItemUploadSerializer,
        },
        responses={
            201: OpenApiResponse(PortfolioItemSerializer, description="The item (also on a replay of the key).")
        },
    )
    def post(self, request):
        key = _key(request)
        multipart = request.content_type.startswith("multipart/")
        data = _valid(PortfolioItemUploadSerializer if multipart else PortfolioItemCreateSerializer, request.data)
        image = data.get("image")
        params = {field: data[field] for field in ("title", "description", "link")}
        if image is not None:
            digest = hashlib.sha256()
            for chunk in image.chunks():
                digest.update(chunk)
            image.seek(0)
            params["image"] = digest.hexdigest()

        def create():
            profile = account_services.freelancer_profile_ensure(user=request.user)
            try:
                return account_services.portfolio_item_save(profile=profile, image=image, **{
                    field: data[field] for field in ("title", "description", "link")
                })  # fmt: skip
            except DjangoValidationError as error:
                raise refused_by(error) from None

        item = keyed_create(
            request, key, action="api_portfolio_item_add", object_id=None, params=params, error=Refused,
            queryset=PortfolioItem.objects.filter(profile__user=request.user), create=create,
        )  # fmt: skip
        return Response(PortfolioItemSerializer(item, context={"request": request}).data, status=201)


class PortfolioItemDetail(APIView):
    """GET one of your portfolio items; DELETE it (its image files go with it)."""

    @extend_schema(responses=PortfolioItemSerializer)
    def get(self, request, pk):
        return Response(PortfolioItemSerializer(_own_item(request, pk), context={"request": request}).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, pk):
        account_services.portfolio_item_delete(item=_own_item(request, pk))
        return Response(status=204)


class PublicProfile(APIView):
    """A freelancer's public profile, as its public page shows it: no token needed."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("slug", {"type": "string", "pattern": SLUG_PATTERN}, OpenApiParameter.PATH)],
        responses=PublicProfileSerializer,
    )
    def get(self, request, slug):
        try:
            profile = account_selectors.freelancer_public_profile(slug=slug)
        except FreelancerProfile.DoesNotExist:
            raise NotFound from None
        profile.reviews = market.visible_reviews_of(profile.user, limit=5)
        return Response(PublicProfileSerializer(profile, context={"request": request}).data)
