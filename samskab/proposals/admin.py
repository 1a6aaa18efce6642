from django.contrib import admin

from samskab.proposals.models import Proposal, ProposalMessage


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    # Read here; answers, the agenda and hiding are done on the proposal's page (rules.py).
    list_display = ["title", "answer", "support_count", "succeeded_at", "retired_at", "created_at"]
    list_filter = ["answer", "area"]
    search_fields = ["title"]
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ProposalMessage)
class ProposalMessageAdmin(admin.ModelAdmin):
    list_display = ["proposal", "created_at", "hidden_at"]
    readonly_fields = [f.name for f in ProposalMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
