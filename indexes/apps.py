from django.apps import AppConfig


class IndexesConfig(AppConfig):
    name = "indexes"
    verbose_name = "Chỉ số"
