"""Webhook endpoints through the API, with the /webhooks/ pages' services and rules: an address must be HTTPS
and not on a private, loopback or link-local network, at most a few endpoints a user, at least one event.
Endpoints and deliveries are their owner's alone (anyone else: a 404 problem); only a failed delivery is sent
again (otherwise a 409)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import keyed_create
from api.pagination import NewestFirst
from api.problems import Refused
from api.serializers import Text
from api.views import IDEMPOTENCY, _key
from webhooks import services as webhook_services
from webhooks.errors import WebhookError
from webhooks.events import EVENTS
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField())
    secret = serializers.CharField(help_text="The signing secret (`whsec_…`): check each event's signature with it.")
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class EndpointCreateSerializer(serializers.Serializer):
    url = Text(max_length=500, help_text="Starting with https://; a public address (not private or local).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENTS)), min_length=1, max_length=len(EVENTS)
    )


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    event_id = serializers.UUIDField()
    state = serializers.CharField()
    attempts = serializers.IntegerField()
    last_status_code = serializers.IntegerField(allow_null=True, help_text="Your address's last answer.")
    last_response = serializers.CharField(help_text="The start of its body.")
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


def _endpoint(request, pk) -> Endpoint:
    endpoint = Endpoint.objects.filter(pk=pk, user=request.user).first()
    if endpoint is None:
        raise NotFound
    return endpoint


class Endpoints(ListAPIView):
    """GET: your webhook endpoints, newest first. POST: register an address for the chosen events, as the
    /webhooks/ page does (not HTTPS, a private or local address, one endpoint too many: 409)."""

    serializer_class = EndpointSerializer
    pagination_class = NewestFirst
    parser_classes = [JSONParser]

    def get_queryset(self):
        return Endpoint.objects.filter(user=self.request.user).order_by()

    @extend_schema(
        parameters=[IDEMPOTENCY],
        request=EndpointCreateSerializer,
        responses={201: OpenApiResponse(EndpointSerializer, description="The endpoint (also on a replay).")},
    )
    def post(self, request):
        key = _key(request)
        body = EndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        form = EndpointForm(data)
        if not form.is_valid():
            errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
            raise Refused(_("The endpoint was not saved."), errors=errors)
        params = {"url": data["url"], "events": ",".join(sorted(data["events"]))}
        endpoint = keyed_create(
            request, key, action="api_webhook_endpoint_add", object_id=None, params=params, error=WebhookError,
            queryset=Endpoint.objects.filter(user=request.user),
            create=lambda: webhook_services.endpoint_create(
                user=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            ),
        )  # fmt: skip
        return Response(EndpointSerializer(endpoint).data, status=201)


class EndpointDetail(APIView):
    """GET one of your endpoints; DELETE it with its delivery history (nothing more is sent to it)."""

    @extend_schema(responses=EndpointSerializer)
    def get(self, request, pk):
        return Response(EndpointSerializer(_endpoint(request, pk)).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, pk):
        webhook_services.endpoint_delete(endpoint=_endpoint(request, pk), user=request.user)
        return Response(status=204)


class EndpointDeliveries(ListAPIView):
    """An endpoint's deliveries with your address's answers, newest first."""

    serializer_class = DeliverySerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return Delivery.objects.filter(endpoint=_endpoint(self.request, self.kwargs["pk"])).order_by()


class DeliveryResend(APIView):
    """Send a failed delivery again, with a fresh series of attempts (any other: 409)."""

    @extend_schema(request=None, responses=DeliverySerializer)
    def post(self, request, pk):
        delivery = Delivery.objects.filter(pk=pk, endpoint__user=request.user).first()
        if delivery is None:
            raise NotFound
        webhook_services.delivery_resend(delivery=delivery, user=request.user)
        return Response(DeliverySerializer(Delivery.objects.get(pk=pk)).data)
