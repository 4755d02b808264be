from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import books_views, contract_views, invoicing_views, marketplace_views, problems, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", views.ApiDocs.as_view(url_name="api:api_schema"), name="api_docs"),
    path("token/", views.token_page, name="api_token"),
    path("jobs/", views.JobSearch.as_view(), name="api_jobs"),
    path("freelancers/", views.FreelancerSearch.as_view(), name="api_freelancers"),
    path("wallet/", views.Balances.as_view(), name="api_wallet"),
    path("contracts/", views.Contracts.as_view(), name="api_contracts"),
    path("contracts/<int:pk>/", views.ContractDetail.as_view(), name="api_contract"),
    path("milestones/<int:pk>/fund/", views.MilestoneFund.as_view(), name="api_milestone_fund"),
    path("milestones/<int:pk>/approve/", views.MilestoneApprove.as_view(), name="api_milestone_approve"),
    path("milestones/<int:pk>/submit/", contract_views.MilestoneSubmit.as_view(), name="api_milestone_submit"),
    path(
        "milestones/<int:pk>/request-changes/",
        contract_views.MilestoneRequestChanges.as_view(),
        name="api_milestone_request_changes",
    ),
    path("milestones/<int:pk>/dispute/", contract_views.MilestoneDispute.as_view(), name="api_milestone_dispute"),
    path("contracts/<int:pk>/weeks/", contract_views.ContractWeeks.as_view(), name="api_contract_weeks"),
    path("contracts/<int:pk>/time/", contract_views.TimeEntryAdd.as_view(), name="api_time_add"),
    path("weeks/<int:pk>/", contract_views.WeekDetail.as_view(), name="api_week"),
    path("weeks/<int:pk>/submit/", contract_views.WeekSubmit.as_view(), name="api_week_submit"),
    path("weeks/<int:pk>/approve/", contract_views.WeekApprove.as_view(), name="api_week_approve"),
    path("weeks/<int:pk>/dispute/", contract_views.WeekDispute.as_view(), name="api_week_dispute"),
    path("disputes/<int:pk>/", contract_views.DisputeDetail.as_view(), name="api_dispute"),
    path("disputes/<int:pk>/evidence/", contract_views.EvidenceAdd.as_view(), name="api_evidence_add"),
    path("jobs/mine/", marketplace_views.MyJobs.as_view(), name="api_my_jobs"),
    path("jobs/<int:pk>/publish/", marketplace_views.JobPublish.as_view(), name="api_job_publish"),
    path("jobs/<int:pk>/close/", marketplace_views.JobClose.as_view(), name="api_job_close"),
    path("jobs/<int:pk>/proposals/", marketplace_views.JobProposals.as_view(), name="api_job_proposals"),
    path("proposals/mine/", marketplace_views.MyProposals.as_view(), name="api_my_proposals"),
    path("proposals/<int:pk>/shortlist/", marketplace_views.ProposalShortlist.as_view(), name="api_proposal_shortlist"),
    path("proposals/<int:pk>/decline/", marketplace_views.ProposalDecline.as_view(), name="api_proposal_decline"),
    path("proposals/<int:pk>/hire/", marketplace_views.ProposalHire.as_view(), name="api_proposal_hire"),
    path("offers/", marketplace_views.MyOffers.as_view(), name="api_offers"),
    path("offers/<int:pk>/accept/", marketplace_views.OfferAccept.as_view(), name="api_offer_accept"),
    path("offers/<int:pk>/decline/", marketplace_views.OfferDecline.as_view(), name="api_offer_decline"),
    # Invoicing and payouts
    path("clients/", invoicing_views.DirectClients.as_view(), name="api_clients"),
    path("invoices/", invoicing_views.Invoices.as_view(), name="api_invoices"),
    path("invoices/<int:pk>/", invoicing_views.InvoiceDetail.as_view(), name="api_invoice"),
    path("invoices/<int:pk>/issue/", invoicing_views.InvoiceIssue.as_view(), name="api_invoice_issue"),
    path("invoices/<int:pk>/void/", invoicing_views.InvoiceVoid.as_view(), name="api_invoice_void"),
    path("invoices/<int:pk>/payments/", invoicing_views.InvoicePayments.as_view(), name="api_invoice_payments"),
    path(
        "invoices/<int:pk>/credit-notes/", invoicing_views.InvoiceCreditNotes.as_view(), name="api_invoice_credit_notes"
    ),
    path("invoices/<int:pk>/pdf/", invoicing_views.InvoicePdf.as_view(), name="api_invoice_pdf"),
    path("bank-accounts/", invoicing_views.BankAccounts.as_view(), name="api_bank_accounts"),
    path("withdrawals/", invoicing_views.Withdrawals.as_view(), name="api_withdrawals"),
    path("withdrawals/<int:pk>/", invoicing_views.WithdrawalDetail.as_view(), name="api_withdrawal"),
    path(
        "wallet/accounts/<int:pk>/statement/",
        invoicing_views.AccountStatement.as_view(),
        name="api_account_statement",
    ),
    # Books, tax and messages
    path("books/entries/", books_views.Entries.as_view(), name="api_book_entries"),
    path("books/entries/<int:pk>/", books_views.EntryDetail.as_view(), name="api_book_entry"),
    path("books/expenses/", books_views.ExpenseAdd.as_view(), name="api_book_expense_add"),
    path("books/income/", books_views.IncomeAdd.as_view(), name="api_book_income_add"),
    path("books/imports/", books_views.ImportAdd.as_view(), name="api_book_import_add"),
    path("books/imports/<int:pk>/", books_views.ImportDetail.as_view(), name="api_book_import"),
    path("books/budget/", books_views.BudgetView.as_view(), name="api_book_budget"),
    path("tax/remittances/", books_views.Remittances.as_view(), name="api_tax_remittances"),
    re_path(r"^tax/(?P<fiscal_year>[^/]+)/$", books_views.TaxEstimate.as_view(), name="api_tax_estimate"),
    path("conversations/", books_views.Conversations.as_view(), name="api_conversations"),
    path(
        "conversations/<int:pk>/messages/",
        books_views.ConversationMessages.as_view(),
        name="api_conversation_messages",
    ),
    # Last: any other /api/ address answers a 404 problem, not the HTML page.
    re_path(r"^[\s\S]*$", problems.not_found, name="api_not_found"),  # any path, newlines included
]
