from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "reporting.plans"
    label = "plans"
    verbose_name = "Kế hoạch cải thiện chỉ số"
