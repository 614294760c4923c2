from django.apps import AppConfig
from django.core.signals import setting_changed


class InspectorConfig(AppConfig):
    name = "inspector"
    verbose_name = "MCP Inspector"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from inspector import outbound_policy

        outbound_policy.apply_policy()
        setting_changed.connect(outbound_policy.on_setting_changed)
