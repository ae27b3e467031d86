from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from . import tasks
        from .signals import report_requested

        report_requested.connect(tasks.on_report_requested, dispatch_uid="reporting-build-requested")
