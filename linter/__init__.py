"""why403: find, before deployment, which AWS policy layer would answer an S3 request with 403."""

__version__ = "0.1.0"
