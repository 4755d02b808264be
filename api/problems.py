"""Every API error as an RFC 9457 problem (`application/problem+json`): type, title, status, detail, and
`errors` (field -> messages) for invalid input. DRF's own handler runs first so its headers stay
(WWW-Authenticate on 401, Retry-After on 429); the services' domain errors become 403 (not allowed) or 409
(refused in the object's current state)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from books.errors import BooksError
from contracts.errors import ContractError
from invoicing.errors import InvoicingError
from ledger.errors import LedgerError
from marketplace.errors import MarketplaceError
from messaging.errors import MessagingError
from payouts.errors import PayoutError
from webhooks.errors import WebhookError

PROBLEM_CONTENT_TYPE = "application/problem+json"
DOMAIN_ERRORS = (
    ContractError,
    MarketplaceError,
    InvoicingError,
    PayoutError,
    MessagingError,
    BooksError,
    LedgerError,
    WebhookError,
)
# The statuses every operation may answer with a problem (documented for each one by `document_problems`).
PROBLEM_STATUSES = (400, 401, 403, 404, 409, 415, 429)


class Refused(exceptions.APIException):
    """A rule beyond what the schema states refused a well-formed request (a slug taken, an image that is not
    one): a 409 problem, with the page's field messages in `errors` when there are some. Nothing was saved."""

    status_code = status.HTTP_409_CONFLICT

    def __init__(self, detail=None, *, errors: dict | None = None):
        super().__init__(detail or _("The request was refused; nothing was changed."))
        self.errors = errors


def refused_by(error) -> Refused:
    """A Django ValidationError (a model's full_clean, a page form's checks) as a 409 problem."""
    fields = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
    messages = [message for items in fields.values() for message in items]
    return Refused(" ".join(messages), errors={field: list(items) for field, items in fields.items()})


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not signed in"),
        403: _("Not allowed"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def problem(status_code: int, detail: str, *, errors: dict | None = None) -> dict:
    body = {
        "type": "about:blank",
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(field): _messages(value) for field, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list[str]:
    if isinstance(value, list):
        return [message for item in value for message in _messages(item)]
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, item in value.items() for message in _messages(item)]
    return [str(value)]


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: any exception DRF or a service raises, as a problem."""
    if isinstance(exc, DOMAIN_ERRORS):
        refused = type(exc).__name__ == "NotAllowed"
        exc = exceptions.PermissionDenied(str(exc)) if refused else exceptions.APIException(str(exc))
        exc.status_code = status.HTTP_403_FORBIDDEN if refused else status.HTTP_409_CONFLICT
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = problem(400, _("Some fields are not valid."), errors=_field_errors(exc.detail))
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
        body = problem(response.status_code, str(detail), errors=getattr(exc, "errors", None))
    problem_response = Response(body, status=response.status_code, content_type=PROBLEM_CONTENT_TYPE)
    for header, value in response.items():
        problem_response[header] = value
    problem_response.content_type = PROBLEM_CONTENT_TYPE
    return problem_response


@csrf_exempt  # nothing is done here, so a POST gets the 404 too, not the CSRF page
def not_found(request, *args, **kwargs):
    """Any /api/ address no route matches: a 404 problem, not the HTML page."""
    body = problem(404, _("There is no API operation at this address."))
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


def document_problems(result, generator, request, public):
    """drf-spectacular postprocessing hook: a Problem schema, and every operation's error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = {
        "type": "object",
        "description": "An RFC 9457 problem: every API error has this shape.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "description": "Invalid fields (400): field name -> messages.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["type", "title", "status", "detail"],
    }
    content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    headers = {
        401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
        429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code in PROBLEM_STATUSES:
                answer = {"description": str(_titles()[code]), "content": content}
                if code in headers:
                    answer["headers"] = headers[code]
                responses.setdefault(str(code), answer)
    return result
