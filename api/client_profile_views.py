"""Your client profile and your profile photos through the API: the client profile edit page's form and service
(name, country, time zone), and the photo forms of both profile pages (a real JPEG, PNG or WebP within the
limits, cropped square without its metadata). They act on the caller's own profiles only: no id, nothing to
guess. A well-formed request the page refuses (an unknown time zone, a file that is not a photo) is a 409 with
the page's messages, and nothing is saved."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.forms import ClientProfileForm, PhotoForm
from accounts.models import ClientProfile, FreelancerProfile
from api.problems import Refused, refused_by
from api.serializers import Text, Upload

COUNTRY_PATTERN = r"^([A-Z]{2})?$"
TIME_ZONE_PATTERN = r"^[A-Za-z0-9_+/-]{1,64}$"


@extend_schema_field({"type": "string", "nullable": True})
class FileUrl(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, field):
        if not field:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(field.url) if request else field.url

    def get_attribute(self, instance):
        return getattr(instance, self.source)


class ProfilePhotoSerializer(serializers.Serializer):
    photo = FileUrl(help_text="The square photo's address; null for none (the initials show).")
    photo_small = FileUrl()


class ClientProfileSerializer(ProfilePhotoSerializer):
    name = serializers.CharField(help_text="Your name or company, as freelancers see it.")
    country = serializers.CharField(help_text="ISO 3166 code; empty for none.")
    time_zone = serializers.CharField()


class ClientProfileUpdateSerializer(serializers.Serializer):
    """Only the fields sent change; the page's form then checks them (an unknown country or time zone: 409)."""

    name = Text(max_length=120, required=False)
    country = serializers.RegexField(COUNTRY_PATTERN, required=False, allow_blank=True)
    time_zone = serializers.RegexField(TIME_ZONE_PATTERN, required=False, help_text="For example Asia/Karachi.")


class PhotoUploadSerializer(serializers.Serializer):
    photo = Upload(help_text="A JPEG, PNG or WebP image; cropped square, its metadata removed.")


def _form_errors(form) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


class OwnClientProfile(APIView):
    """GET: your client profile as its edit page shows it (a default one until first saved). PATCH: change the
    fields you send, checked by the page's form; a refusal is a 409 and saves nothing."""

    parser_classes = [JSONParser]

    @extend_schema(responses=ClientProfileSerializer)
    def get(self, request):
        profile = account_selectors.client_profile_or_default(user=request.user)
        return Response(ClientProfileSerializer(profile, context={"request": request}).data)

    @extend_schema(request=ClientProfileUpdateSerializer, responses=ClientProfileSerializer)
    def patch(self, request):
        body = ClientProfileUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            # As the page does: the first save creates the profile (rolled back with the rest on a refusal).
            profile = account_services.client_profile_ensure(user=request.user)
            current = {"name": profile.name, "country": profile.country, "time_zone": profile.time_zone}
            form = ClientProfileForm({**current, **body.validated_data}, instance=profile)
            if not form.is_valid():
                raise Refused(_("The client profile was not saved."), errors=_form_errors(form))
            try:
                account_services.client_profile_update(profile=profile, **form.cleaned_data)
            except DjangoValidationError as error:
                raise refused_by(error) from None
        profile = ClientProfile.objects.get(pk=profile.pk)
        return Response(ClientProfileSerializer(profile, context={"request": request}).data)


def _photo_view(whose: str):
    ensure = account_services.client_profile_ensure if whose == "client" else account_services.freelancer_profile_ensure
    model = ClientProfile if whose == "client" else FreelancerProfile

    class ProfilePhoto(APIView):
        parser_classes = [MultiPartParser]

        @extend_schema(
            request={"multipart/form-data": PhotoUploadSerializer},
            responses=OpenApiResponse(ProfilePhotoSerializer, description="The new photo's addresses."),
        )
        def put(self, request):
            body = PhotoUploadSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            with transaction.atomic():
                profile = ensure(user=request.user)
                form = PhotoForm({}, {"photo": body.validated_data["photo"]})
                if not form.is_valid():
                    raise Refused(_("The photo was not saved."), errors=_form_errors(form))
                try:
                    account_services.profile_photo_set(profile=profile, upload=form.cleaned_data["photo"])
                except DjangoValidationError as error:
                    raise refused_by(error) from None
            return Response(ProfilePhotoSerializer(model.objects.get(pk=profile.pk), context={"request": request}).data)

        @extend_schema(request=None, responses={204: OpenApiResponse(description="No photo now.")})
        def delete(self, request):
            profile = model.objects.filter(user=request.user).first()
            if profile is not None and profile.photo:
                account_services.profile_photo_remove(profile=profile)
            return Response(status=204)

    ProfilePhoto.__name__ = ProfilePhoto.__qualname__ = f"{whose.title()}ProfilePhoto"
    ProfilePhoto.__doc__ = (
        f"PUT: replace your {whose} profile's photo (multipart `photo`), checked as its page checks it (not a photo, "
        "or too large: 409). DELETE: remove it; the initials show instead."
    )
    return ProfilePhoto


ClientProfilePhoto = _photo_view("client")
FreelancerProfilePhoto = _photo_view("freelancer")
