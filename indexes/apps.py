from django.apps import AppConfig


class IndexesConfig(AppConfig):
    name = "indexes"
    verbose_name = "Chỉ số"

    def ready(self) -> None:
        from surveys.signals import round_data_changed

        from . import tasks

        round_data_changed.connect(tasks.on_round_data_changed, dispatch_uid="indexes-recompute-changed-round")
