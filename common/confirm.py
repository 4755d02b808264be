"""The confirmation step before an irreversible money action, without JavaScript: the action's form posts
without `confirm`, the view answers with a page that states the effect in money and a form that posts the
same fields again with `confirm`. Nothing is written until the second post; a GET never reaches here."""

from django.shortcuts import render


def confirmed(request) -> bool:
    return bool(request.POST.get("confirm"))


def confirmation_page(request, *, title: str, effects: list[str], button: str, back: str, irreversible=True):
    """Re-post every field of the first post (the idempotency key among them), so the action stays the same."""
    hidden = [(name, value) for name, value in request.POST.items() if name not in ("csrfmiddlewaretoken", "confirm")]
    return render(
        request,
        "web/confirm.html",
        {
            "title": title,
            "effects": effects,
            "button": button,
            "back": back,
            "irreversible": irreversible,
            "hidden": hidden,
            "action": request.path,
        },
    )
