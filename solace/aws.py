"""AWS for the whole app: its boto3 low-level clients (DynamoDB, S3, KMS, SSM) are built here.

boto3 and botocore's client machinery (sessions, endpoints, parsers, signers: ~100 ms of
imports) load with the first client, which the app builds on its first DynamoDB request (or at
start-up, in AWS, to read the secret key from SSM). What importing this module brings is
botocore's exceptions, so a missing botocore still fails at start-up.
"""

from __future__ import annotations

import sys

# botocore imports urllib3's pyOpenSSL shim whenever pyOpenSSL is installed (webauthn depends on
# it), only to take the standard library's SSLContext from it, and that import loads OpenSSL and
# cryptography (~50 ms). With the shim unavailable botocore takes the very same SSLContext from
# urllib3 (its fallback). Nothing in the app uses the shim, which urllib3 deprecates; pyOpenSSL
# itself stays importable.
sys.modules.setdefault("urllib3.contrib.pyopenssl", None)

from botocore.exceptions import ClientError  # noqa: E402

__all__ = ["ClientError", "client"]


def client(
    service: str,
    endpoint: str | None = None,
    *,
    region: str | None,
    max_attempts: int = 4,
    connect_timeout: float = 2,
    read_timeout: float = 5,
):
    """A low-level client with standard retries and short timeouts (no Django settings needed,
    so the archiver Lambda can build one too). Region None: botocore's own lookup."""
    import boto3.session
    from botocore.config import Config

    config = Config(
        region_name=region,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=20,
    )
    return boto3.session.Session().client(service, endpoint_url=endpoint, config=config)
