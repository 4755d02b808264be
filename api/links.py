"""OpenAPI links (3.0 `links` on a response): where the object an operation answers with can be used next, so a
client (and schemathesis's stateful sequences) can follow create -> read -> act without guessing ids. Each link
passes the answer's `id` as the next operation's `id` path parameter."""

# (path, method, status) of an answer -> the operations on the object it answers with, by link name.
CHAINS: dict[tuple[str, str, str], dict[str, tuple[str, str]]] = {
    ("/api/invoices/", "post", "201"): {
        "ReadInvoice": ("/api/invoices/{id}/", "get"),
        "IssueInvoice": ("/api/invoices/{id}/issue/", "post"),
        "VoidInvoice": ("/api/invoices/{id}/void/", "post"),
        "InvoicePdf": ("/api/invoices/{id}/pdf/", "get"),
        "InvoiceReminders": ("/api/invoices/{id}/reminders/", "post"),
    },
    ("/api/invoices/{id}/issue/", "post", "200"): {
        "RecordPayment": ("/api/invoices/{id}/payments/", "post"),
        "IssueCreditNote": ("/api/invoices/{id}/credit-notes/", "post"),
    },
    ("/api/recurring-invoices/", "post", "201"): {
        "ReadRecurringInvoice": ("/api/recurring-invoices/{id}/", "get"),
        "StopRecurringInvoice": ("/api/recurring-invoices/{id}/stop/", "post"),
    },
    ("/api/withdrawals/", "post", "201"): {"ReadWithdrawal": ("/api/withdrawals/{id}/", "get")},
    ("/api/jobs/mine/", "post", "201"): {
        "PublishJob": ("/api/jobs/{id}/publish/", "post"),
        "CloseJob": ("/api/jobs/{id}/close/", "post"),
        "JobProposals": ("/api/jobs/{id}/proposals/", "get"),
        "ReadJob": ("/api/jobs/{id}/", "get"),
        "EditJob": ("/api/jobs/{id}/", "patch"),
    },
    ("/api/jobs/{id}/proposals/", "post", "201"): {
        "ShortlistProposal": ("/api/proposals/{id}/shortlist/", "post"),
        "DeclineProposal": ("/api/proposals/{id}/decline/", "post"),
        "HireProposal": ("/api/proposals/{id}/hire/", "post"),
        "EditProposal": ("/api/proposals/{id}/", "patch"),
        "WithdrawProposal": ("/api/proposals/{id}/withdraw/", "post"),
    },
    ("/api/proposals/{id}/hire/", "post", "201"): {
        "AcceptOffer": ("/api/offers/{id}/accept/", "post"),
        "DeclineOffer": ("/api/offers/{id}/decline/", "post"),
        "WithdrawOffer": ("/api/offers/{id}/withdraw/", "post"),
    },
    ("/api/profile/portfolio/", "post", "201"): {
        "ReadPortfolioItem": ("/api/profile/portfolio/{id}/", "get"),
        "DeletePortfolioItem": ("/api/profile/portfolio/{id}/", "delete"),
    },
    ("/api/books/expenses/", "post", "201"): {
        "ReadEntry": ("/api/books/entries/{id}/", "get"),
        "RecategoriseExpense": ("/api/books/entries/{id}/category/", "post"),
        "RemoveEntry": ("/api/books/entries/{id}/remove/", "post"),
    },
    ("/api/books/income/", "post", "201"): {
        "ReadEntry": ("/api/books/entries/{id}/", "get"),
        "RemoveEntry": ("/api/books/entries/{id}/remove/", "post"),
    },
    ("/api/books/imports/", "post", "201"): {
        "ReadImport": ("/api/books/imports/{id}/", "get"),
        "MapImportColumns": ("/api/books/imports/{id}/columns/", "post"),
    },
    ("/api/books/category-rules/", "post", "201"): {
        "DeleteCategoryRule": ("/api/books/category-rules/{id}/", "delete")
    },
    ("/api/tax/remittances/", "post", "201"): {
        "ReadRemittance": ("/api/tax/remittances/{id}/", "get"),
        "RecordPrc": ("/api/tax/remittances/{id}/", "patch"),
    },
    ("/api/tax/remittances/{id}/", "patch", "200"): {"ReadRemittance": ("/api/tax/remittances/{id}/", "get")},
    ("/api/webhooks/", "post", "201"): {
        "ReadWebhookEndpoint": ("/api/webhooks/{id}/", "get"),
        "WebhookDeliveries": ("/api/webhooks/{id}/deliveries/", "get"),
        "DeleteWebhookEndpoint": ("/api/webhooks/{id}/", "delete"),
    },
}


def document_links(result, generator, request, public):
    """drf-spectacular postprocessing hook: the CHAINS as OpenAPI links (an operation left out of this schema,
    or a chain whose ends are missing, is skipped rather than linked to nothing)."""
    paths = result.get("paths", {})
    for (path, method, status), targets in CHAINS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        for name, (target_path, target_method) in targets.items():
            target = paths.get(target_path, {}).get(target_method)
            if target is None:
                continue
            response.setdefault("links", {})[name] = {
                "operationId": target["operationId"],
                "parameters": {"id": "$response.body#/id"},
            }
    return result
