"""Django's `flush`, with the audit triggers' maintenance switch on: emptying the whole database (the test
suite's teardown, `gongkai demo --reset`) is the one time audit rows may go."""

from django.core.management.commands.flush import Command as FlushCommand

from gongkai.audit.maintenance import audit_maintenance


class Command(FlushCommand):
    def handle(self, **options):
        with audit_maintenance(options.get("database") or "default"):
            return super().handle(**options)
