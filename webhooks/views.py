from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.confirm import confirmation_page, confirmed
from webhooks import services
from webhooks.errors import WebhookError
from webhooks.events import EVENTS
from webhooks.forms import EndpointForm
from webhooks.models import MAX_ENDPOINTS_PER_USER, Delivery, Endpoint

RECENT_DELIVERIES = 50


@login_required
def endpoint_list(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                user=request.user, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
            )
        except WebhookError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Endpoint added. Copy its signing secret to check the events you receive."))
            return redirect("webhooks:webhook_detail", pk=endpoint.pk)
    endpoints = Endpoint.objects.filter(user=request.user)
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"form": form, "endpoints": endpoints, "events": EVENTS, "limit": MAX_ENDPOINTS_PER_USER},
    )


@login_required
def endpoint_detail(request, pk):
    endpoint = get_object_or_404(Endpoint, pk=pk, user=request.user)
    deliveries = endpoint.deliveries.all()[:RECENT_DELIVERIES]
    names = [EVENTS[name] for name in endpoint.events if name in EVENTS]
    return render(
        request, "webhooks/endpoint_detail.html", {"endpoint": endpoint, "deliveries": deliveries, "names": names}
    )


@login_required
@require_POST
def endpoint_delete(request, pk):
    endpoint = get_object_or_404(Endpoint, pk=pk, user=request.user)
    if not confirmed(request):
        return confirmation_page(
            request,
            title=_("Delete the endpoint %(url)s?") % {"url": endpoint.url},
            effects=[_("No more events are sent to it, and its delivery history is deleted.")],
            button=_("Delete the endpoint"),
            back=reverse("webhooks:webhook_detail", args=[endpoint.pk]),
            irreversible=True,
        )
    services.endpoint_delete(endpoint=endpoint, user=request.user)
    messages.success(request, _("Endpoint deleted."))
    return redirect("webhooks:webhook_list")


@login_required
@require_POST
def delivery_resend(request, pk):
    delivery = get_object_or_404(Delivery, pk=pk, endpoint__user=request.user)
    try:
        services.delivery_resend(delivery=delivery, user=request.user)
    except WebhookError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The event is queued to be sent again."))
    return redirect("webhooks:webhook_detail", pk=delivery.endpoint_id)
