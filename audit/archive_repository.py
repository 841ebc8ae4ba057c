"""S3 and DynamoDB Streams I/O of the audit archive (the only module of it that calls boto3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from audit import archive_bucket
from solace.dynamodb import aws_client
from solace.env import aws_region, env_str


@dataclass(frozen=True)
class ArchiveConfig:
    """From the environment only: the archiver Lambda runs without Django settings."""

    bucket: str
    kms_key_id: str
    region: str
    s3_endpoint: str | None
    dynamodb_endpoint: str | None

    @classmethod
    def from_env(cls) -> ArchiveConfig:
        return cls(
            bucket=env_str("SOLACE_ARCHIVE_BUCKET", "solace-audit-archive"),
            kms_key_id=env_str("SOLACE_KMS_KEY_ID", "alias/solace"),
            region=aws_region(),
            s3_endpoint=env_str("SOLACE_S3_ENDPOINT") or None,
            dynamodb_endpoint=env_str("SOLACE_DYNAMODB_ENDPOINT") or None,
        )


class ArchiveStore:
    def __init__(self, config: ArchiveConfig):
        self.config = config

    @cached_property
    def s3(self):
        return aws_client("s3", self.config.s3_endpoint, region=self.config.region)

    @cached_property
    def dynamodb(self):
        return aws_client("dynamodb", self.config.dynamodb_endpoint, region=self.config.region)

    @cached_property
    def streams(self):
        # Batch work, not a request path: a GetRecords of 1000 records may take a while (the
        # archiver Lambda has 120 s), so the read timeout is longer than the app's 5 s.
        return aws_client(
            "dynamodbstreams",
            self.config.dynamodb_endpoint,
            region=self.config.region,
            read_timeout=30,
        )

    # --- objects ------------------------------------------------------------------------------
    def put_new(self, key: str, body: bytes) -> bool:
        """Write an object only if absent (If-None-Match: *), encrypted with the CMK.
        False when it already exists: a replayed batch is a no-op, never a duplicate."""
        try:
            self.s3.put_object(
                Bucket=self.config.bucket,
                Key=key,
                Body=body,
                ContentType="application/x-ndjson",
                ServerSideEncryption="aws:kms",
                SSEKMSKeyId=self.config.kms_key_id,
                IfNoneMatch="*",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                return False
            raise
        return True

    def keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.config.bucket, Prefix=prefix
        ):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return keys

    def read(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.config.bucket, Key=key)["Body"].read()

    def objects(self, prefix: str) -> list[tuple[str, str]]:
        """(key, storage class) of the objects under a prefix (one day of one hospital)."""
        found: list[tuple[str, str]] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.config.bucket, Prefix=prefix
        ):
            found += [
                (o["Key"], o.get("StorageClass", "STANDARD")) for o in page.get("Contents", [])
            ]
        return found

    def read_if_readable(self, key: str) -> bytes | None:
        """The object, or None when it must be restored first (archived storage class)."""
        try:
            return self.read(key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidObjectState":
                return None
            raise

    # --- checkpoints (local draining of the stream) -------------------------------------------
    def checkpoint(self, name: str) -> dict[str, str]:
        try:
            return json.loads(self.read(archive_bucket.CHECKPOINT_PREFIX + name))
        except ClientError:
            return {}

    def save_checkpoint(self, name: str, positions: dict[str, str]) -> None:
        self.s3.put_object(
            Bucket=self.config.bucket,
            Key=archive_bucket.CHECKPOINT_PREFIX + name,
            Body=json.dumps(positions).encode(),
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=self.config.kms_key_id,
        )

    # --- the stream ---------------------------------------------------------------------------
    def stream_arn(self, table: str) -> str:
        return self.dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]

    def shards(self, stream_arn: str) -> list[str]:
        description = self.streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
        return [s["ShardId"] for s in description["Shards"]]

    def record_batches(self, stream_arn: str, shard: str, after: str | None):
        """Batches of stream records of one shard, oldest first, after a sequence number."""
        kwargs: dict[str, Any] = {"StreamArn": stream_arn, "ShardId": shard}
        if after:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        iterator = self.streams.get_shard_iterator(**kwargs)["ShardIterator"]
        while iterator:
            response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            if not response["Records"]:
                return
            yield response["Records"]
            iterator = response.get("NextShardIterator")

    # --- the bucket (embedded store) ----------------------------------------------------------
    def ensure_bucket(self) -> None:
        config = self.config
        try:
            self.s3.head_bucket(Bucket=config.bucket)
        except ClientError:
            kwargs: dict[str, Any] = {"Bucket": config.bucket}
            if config.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": config.region}
            self.s3.create_bucket(**kwargs)
        self.s3.put_public_access_block(
            Bucket=config.bucket,
            PublicAccessBlockConfiguration=archive_bucket.PUBLIC_ACCESS_BLOCK,
        )
        self.s3.put_bucket_versioning(
            Bucket=config.bucket, VersioningConfiguration={"Status": "Enabled"}
        )
        self.s3.put_bucket_encryption(
            Bucket=config.bucket,
            ServerSideEncryptionConfiguration=archive_bucket.encryption_rules(config.kms_key_id),
        )
        self.s3.put_bucket_lifecycle_configuration(
            Bucket=config.bucket,
            LifecycleConfiguration={"Rules": archive_bucket.LIFECYCLE_RULES},
        )

    def ensure_kms_key(self) -> str:
        """The archive's CMK on a local store (`make run`, tests); returns SOLACE_KMS_KEY_ID.

        An alias (`alias/…`) is created, with a new key behind it, when it is missing. A key id,
        key ARN or alias ARN names a key someone else made: it must exist and be enabled, and
        nothing is created (KeyUnusable otherwise)."""
        kms = aws_client("kms", self.config.s3_endpoint, region=self.config.region)
        key = self.config.kms_key_id
        try:
            metadata = kms.describe_key(KeyId=key)["KeyMetadata"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                raise
            if not key.startswith("alias/"):
                raise KeyUnusable(key, "no such key") from None
            key_id = kms.create_key(Description="Solace local CMK")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=key, TargetKeyId=key_id)
            return key
        if metadata.get("KeyState", "Enabled") != "Enabled":
            raise KeyUnusable(key, f"the key is {metadata['KeyState']}")
        return key


class KeyUnusable(Exception):
    """SOLACE_KMS_KEY_ID names a key that does not exist or cannot encrypt."""

    def __init__(self, key: str, reason: str):
        super().__init__(
            f"SOLACE_KMS_KEY_ID={key!r}: {reason}. Give an alias (alias/<name>) to have a key "
            "created, or the id or ARN of an existing, enabled key."
        )
