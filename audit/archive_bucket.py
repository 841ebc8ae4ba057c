"""The archive bucket's configuration as data: applied by `audit_archive_setup` on the embedded
store, and checked against the deploy template, so both say the same thing."""

from __future__ import annotations

ARCHIVE_PREFIX = "audit/"
CHECKPOINT_PREFIX = "checkpoints/"
GLACIER_AFTER_DAYS = 90
# HIPAA: six years; the margin covers late-arriving entries and leap days.
EXPIRE_AFTER_DAYS = 6 * 365 + 60
# S3 skips transitions of objects under 128 KB by default; audit batches are often smaller,
# and every entry must reach Glacier, so the rule transitions objects of any size.
MIN_TRANSITION_SIZE = "varies_by_storage_class"

LIFECYCLE_RULES = [
    {
        "ID": "audit-to-glacier-then-expire",
        "Status": "Enabled",
        "Filter": {"Prefix": ARCHIVE_PREFIX},
        "Transitions": [{"Days": GLACIER_AFTER_DAYS, "StorageClass": "GLACIER"}],
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
