"""Test environment, set before Django reads its settings.

The suite runs in-process against moto by default. With SOLACE_DYNAMODB_ENDPOINT set it runs
against that endpoint over HTTP, in tables with a prefix unique to this run, deleted afterwards.
"""

import os
import uuid

os.environ.setdefault("SOLACE_DEBUG", "0")  # production-like settings
os.environ.setdefault("SOLACE_SECRET_KEY", "test-secret-key-" + uuid.uuid4().hex)
os.environ.setdefault("SOLACE_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SOLACE_STATIC_MANIFEST", "0")  # no collectstatic before tests
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")  # moto streams in-process
# moto's server answers one request at a time and holds every test's items: on a loaded CI
# machine a transaction can wait longer than production's 5 s read timeout, which would turn a
# slow test store into retries and 503s. Live servers started by the tests inherit this.
os.environ.setdefault("SOLACE_DYNAMODB_READ_TIMEOUT", "30")
os.environ["SOLACE_TABLE_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}-"
os.environ["SOLACE_ARCHIVE_BUCKET"] = f"test-{uuid.uuid4().hex[:8]}-archive"
os.environ.setdefault("SOLACE_KMS_KEY_ID", "alias/solace-test")
if os.environ.get("SOLACE_DYNAMODB_ENDPOINT"):
    # The same moto server serves S3 and KMS.
    os.environ.setdefault("SOLACE_S3_ENDPOINT", os.environ["SOLACE_DYNAMODB_ENDPOINT"])
