"""The page of a bulk decision recorded in the background: its status, counts and outcome."""

from __future__ import annotations

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy
from django.views.generic import View

from evaluations.admin_screen import AdminScreenMixin

from ..bulk_jobs import decision_job_progress, decision_job_refresh_status
from ..models import BulkDecisionJob


class BulkDecisionJobView(AdminScreenMixin, View):
    template_name = "evaluations/admin/bulk_job.html"
    page_title = gettext_lazy("Bulk decision")
    header_icon = "tasks"

    def get(self, request, pk: int):
        # Only the officer who asked for it (or a superuser) follows a job: it names evaluations of their area.
        job = BulkDecisionJob.objects.select_related("decision", "created_by").filter(pk=pk).first()
        if job is None or not (request.user.is_superuser or job.created_by_id == request.user.pk):
            raise Http404
        job = decision_job_refresh_status(job)
        context = self.get_context_data(job=job, refresh=not job.is_finished, progress=decision_job_progress(job))
        return TemplateResponse(request, self.template_name, context)
