from django.apps import AppConfig


class SolaceConfig(AppConfig):
    name = "solace"
