from django.contrib import admin

from .models import FailedTask, WorkerProbe


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ("task_name", "task_id", "failed_at", "retries", "resolved_at")
    list_filter = ("task_name", "resolved_at")
    search_fields = ("task_name", "task_id", "request_id")
    readonly_fields = ("task_id", "task_name", "args", "kwargs", "exception", "traceback", "retries", "request_id",
                       "failed_at", "resolved_at", "resolved_by")

    def has_add_permission(self, request):
        return False


@admin.register(WorkerProbe)
class WorkerProbeAdmin(admin.ModelAdmin):
    list_display = ("token", "requested_at", "attempts", "completed_at", "completed_by")
    readonly_fields = list_display + ("seconds",)

    def has_add_permission(self, request):
        return False
