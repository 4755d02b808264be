"""Thin views: parse input, call one service or selector, render. Conversations a viewer is not part of are 404s."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from common.files import private_file_response
from common.ids import parse_id
from common.throttles import throttle
from messaging import selectors, services, subjects
from messaging.errors import MessagingError, NotAllowed
from messaging.forms import MessageForm
from messaging.models import Conversation, Message


def _conversation_for(request, pk) -> Conversation:
    try:
        return selectors.conversation_for_participant(request.user, pk)
    except Conversation.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def inbox(request):
    return render(request, "messaging/inbox.html", {"conversations": selectors.inbox(request.user)})


@login_required
@require_POST
def conversation_start(request):
    kwargs = {}
    for kind in subjects.PRECEDENCE:
        pk = parse_id(request.POST.get(kind))
        freelancer_id = parse_id(request.POST.get("freelancer")) if kind == "job" else None
        if not pk or not subjects.known(kind) or (kind == "job" and not freelancer_id):
            continue
        kwargs[kind] = subjects.find(kind, pk=pk, user=request.user)
        if kwargs[kind] is None:
            raise Http404
        if freelancer_id:
            kwargs["freelancer"] = get_object_or_404(User, pk=freelancer_id, is_active=True)
        break
    else:
        raise Http404
    try:
        conversation = services.conversation_start(starter=request.user, **kwargs)
    except NotAllowed:
        raise Http404 from None
    except MessagingError as error:
        messages.error(request, str(error))
        return redirect("messaging:inbox")
    return redirect("messaging:conversation_detail", pk=conversation.pk)


def _page_context(request, conversation) -> dict:
    page, has_older = selectors.conversation_messages(conversation, before_id=parse_id(request.GET.get("before")))
    if page and not request.GET.get("before"):
        services.conversation_mark_read(conversation=conversation, reader=request.user, up_to_message_id=page[-1].pk)
    return {
        "conversation": conversation,
        "other": conversation.other_party(request.user),
        "page": page,
        "has_older": has_older,
        "last_id": page[-1].pk if page else 0,
    }


@login_required
@throttle("message")
def conversation_detail(request, pk):
    conversation = _conversation_for(request, pk)
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_send(
                    conversation=conversation,
                    sender=request.user,
                    body=form.cleaned_data["body"],
                    attachment=form.cleaned_data["attachment"] or None,
                )
            except MessagingError as error:
                form.add_error(None, str(error))
            else:
                return redirect(reverse("messaging:conversation_detail", args=[conversation.pk]) + "#latest")
    return render(request, "messaging/conversation.html", {**_page_context(request, conversation), "form": form})


@login_required
@require_GET
def conversation_message_list(request, pk):
    """The message list alone, fetched every 15 s by the page's small script."""
    conversation = _conversation_for(request, pk)
    context = _page_context(request, conversation)
    response = render(request, "messaging/_message_list.html", context)
    response["Cache-Control"] = "no-store"
    response["X-Last-Message"] = str(context["last_id"])
    return response


@login_required
@require_GET
def attachment_download(request, pk):
    try:
        message = selectors.message_for_participant(request.user, pk)
    except Message.DoesNotExist:
        raise Http404 from None
    return private_file_response(
        message.attachment, filename=message.attachment_name, content_type=message.attachment_type
    )
