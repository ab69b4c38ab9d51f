"""Conventional spellings of the S3, KMS, IAM and STS actions findings mention most.

The catalogue that cfn-lint ships stores names in lower case; findings read better as
``s3:GetObject``. Names missing here are shown as the user wrote them, or in lower case.
``tests/policy/test_catalogue.py`` checks every name below against the catalogue.
"""

from __future__ import annotations

_S3 = """
AbortMultipartUpload BypassGovernanceRetention CreateAccessPoint CreateBucket CreateJob
DeleteAccessPoint DeleteAccessPointPolicy DeleteBucket DeleteBucketPolicy
DeleteBucketWebsite DeleteObject DeleteObjectTagging DeleteObjectVersion DeleteObjectVersionTagging
GetAccelerateConfiguration GetAccessPoint GetAccessPointPolicy GetAccessPointPolicyStatus
GetAccountPublicAccessBlock GetAnalyticsConfiguration GetBucketAcl GetBucketCORS GetBucketLocation
GetBucketLogging GetBucketNotification GetBucketObjectLockConfiguration GetBucketOwnershipControls
GetBucketPolicy GetBucketPolicyStatus GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging
GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration GetIntelligentTieringConfiguration
GetInventoryConfiguration GetLifecycleConfiguration GetMetricsConfiguration GetObject GetObjectAcl
GetObjectAttributes GetObjectLegalHold GetObjectRetention GetObjectTagging GetObjectTorrent GetObjectVersion
GetObjectVersionAcl GetObjectVersionAttributes GetObjectVersionForReplication GetObjectVersionTagging
GetObjectVersionTorrent GetReplicationConfiguration InitiateReplication ListAccessPoints ListAllMyBuckets
ListBucket ListBucketMultipartUploads ListBucketVersions ListJobs ListMultipartUploadParts
ObjectOwnerOverrideToBucketOwner PutAccelerateConfiguration PutAccessPointPolicy
PutAccessPointPublicAccessBlock PutAccountPublicAccessBlock PutAnalyticsConfiguration PutBucketAcl
PutBucketCORS PutBucketLogging PutBucketNotification PutBucketObjectLockConfiguration
PutBucketOwnershipControls PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment
PutBucketTagging PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration
PutIntelligentTieringConfiguration PutInventoryConfiguration PutLifecycleConfiguration
PutMetricsConfiguration PutObject PutObjectAcl PutObjectLegalHold PutObjectRetention PutObjectTagging
PutObjectVersionAcl PutObjectVersionTagging PutReplicationConfiguration ReplicateDelete ReplicateObject
ReplicateTags RestoreObject
"""

_KMS = """
CancelKeyDeletion ConnectCustomKeyStore CreateAlias CreateCustomKeyStore CreateGrant CreateKey Decrypt
DeleteAlias DeleteCustomKeyStore DeleteImportedKeyMaterial DescribeCustomKeyStores DescribeKey DisableKey
DisableKeyRotation DisconnectCustomKeyStore EnableKey EnableKeyRotation Encrypt GenerateDataKey
GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext GenerateDataKeyWithoutPlaintext GenerateMac
GenerateRandom GetKeyPolicy GetKeyRotationStatus GetParametersForImport GetPublicKey ImportKeyMaterial
ListAliases ListGrants ListKeyPolicies ListKeys ListResourceTags ListRetirableGrants PutKeyPolicy
ReEncryptFrom ReEncryptTo ReplicateKey RetireGrant RevokeGrant ScheduleKeyDeletion Sign
SynchronizeMultiRegionKey TagResource UntagResource UpdateAlias UpdateCustomKeyStore UpdateKeyDescription
UpdatePrimaryRegion Verify VerifyMac
"""

_OTHER = """
sts:AssumeRole sts:AssumeRoleWithSAML sts:AssumeRoleWithWebIdentity sts:TagSession sts:GetFederationToken
iam:PassRole iam:CreateServiceLinkedRole
"""


def _table() -> dict[str, str]:
    out: dict[str, str] = {}
    for prefix, names in (("s3", _S3), ("kms", _KMS)):
        for name in names.split():
            full = f"{prefix}:{name}"
            out[full.lower()] = full
    for full in _OTHER.split():
        out[full.lower()] = full
    return out


DISPLAY_NAMES: dict[str, str] = _table()
