"""Where an AWS service writes what it delivers to a bucket, below the prefix a resource
configures: the object keys it writes, and so the requests it makes (its ``s3:PutObject`` on
``bucket/prefix/AWSLogs/ACCOUNT/...``). Both frontends emit a
:class:`~why403.model.facts.ServiceDeliveryFact` for such resources; the layout is the service's,
not the language's, so it is written once here.
"""

from __future__ import annotations

# Services that add their own folders below the configured prefix (each service's documentation of
# its log file layout: CloudTrail, VPC flow logs, ELB access logs, AWS Config).
_LAYOUT = {
    "cloudtrail": "AWSLogs/{account}/",
    "log-delivery": "AWSLogs/{account}/",
    "elb-access-logs": "AWSLogs/{account}/",
    "config": "AWSLogs/{account}/Config/",
}


# Services configured with a path rather than a prefix: CloudFront asks the origin for the origin
# path followed by the request's path, so the origin path "/static" reads the keys "static/...".
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginPath
_PATHS = frozenset({"cloudfront-oac"})


def delivered_prefix(service: str, account: str, configured: str | None) -> str:
    """The prefix of the keys ``service`` writes (or reads) for a resource in ``account`` whose
    configured prefix or path is ``configured``: the service's own folders below it, for a service
    that adds some; below a path (``/static``: ``static/``), for a service configured with one."""
    layout = _LAYOUT.get(service)
    if layout is None:
        if service not in _PATHS:
            return configured or ""
        path = (configured or "").strip("/")
        return f"{path}/" if path else ""
    prefix = (configured or "").strip("/")
    rest = layout.format(account=account)
    return f"{prefix}/{rest}" if prefix else rest
