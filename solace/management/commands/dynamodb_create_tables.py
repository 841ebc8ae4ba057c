from django.core.management.base import BaseCommand

from solace import schema
from solace.dynamodb import table_name
from solace.tables import TABLES


class Command(BaseCommand):
    help = "Create every missing DynamoDB table (PAY_PER_REQUEST, TTL, streams). Idempotent."

    def handle(self, *args, **options):
        created = set(schema.create_tables())
        for table in TABLES:
            name = table_name(table)
            self.stdout.write(f"{'created' if name in created else 'exists '}  {name}")
