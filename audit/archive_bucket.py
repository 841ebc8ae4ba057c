"""The archive bucket's configuration as data: applied by `audit_archive_setup` on the embedded
store, and checked against the deploy template, so both say the same thing."""

from __future__ import annotations

ARCHIVE_PREFIX = "audit/"
CHECKPOINT_PREFIX = "checkpoints/"
GLACIER_AFTER_DAYS = 90
# Glacier Instant Retrieval: Glacier prices, but GetObject still reads it in milliseconds, so the
# patient access report can read the archive for the whole six years. (Objects that an older
# rule moved to GLACIER or DEEP_ARCHIVE need a restore first; the report says it skipped them.)
ARCHIVE_STORAGE_CLASS = "GLACIER_IR"
# Storage classes GetObject reads without a restore.
READABLE_STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER_IR",
        "REDUCED_REDUNDANCY",
        "EXPRESS_ONEZONE",
    }
)
# HIPAA: six years; the margin covers late-arriving entries and leap days.
EXPIRE_AFTER_DAYS = 6 * 365 + 60
# S3 skips transitions of objects under 128 KB by default (to Glacier IR they stay in Standard,
# readable all the same); larger batches move on 90 days after they were written.
MIN_TRANSITION_SIZE = "varies_by_storage_class"

LIFECYCLE_RULES = [
    {
        "ID": "audit-to-glacier-then-expire",
        "Status": "Enabled",
        "Filter": {"Prefix": ARCHIVE_PREFIX},
        "Transitions": [{"Days": GLACIER_AFTER_DAYS, "StorageClass": ARCHIVE_STORAGE_CLASS}],
        "Expiration": {"Days": EXPIRE_AFTER_DAYS},
        "NoncurrentVersionExpiration": {"NoncurrentDays": EXPIRE_AFTER_DAYS},
    }
]

PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def encryption_rules(kms_key_id: str) -> dict:
    return {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": kms_key_id,
                },
                "BucketKeyEnabled": True,
            }
        ]
    }
