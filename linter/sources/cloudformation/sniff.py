"""Cheap recognition of CloudFormation templates among other YAML/JSON files.

A repository holds many YAML and JSON files that are not templates (Kubernetes manifests, CI
workflows, package.json, serverless.yml, cdk.out's manifests). Only the head of a file is read,
and only top-level markers count: ``AWSTemplateFormatVersion``, or a top-level ``Resources``
mapping with ``AWS::`` types.
"""

from __future__ import annotations

import re
from pathlib import Path

from why403.sources import confine
from why403.sources.cloudformation.decode import text_of
from why403.sources.discover import TEMPLATE_SUFFIXES

_HEAD_BYTES = 256 * 1024

_VERSION = re.compile(r"""^\s*["']?AWSTemplateFormatVersion["']?\s*:""", re.MULTILINE)
_YAML_RESOURCES = re.compile(r"""^["']?Resources["']?\s*:""", re.MULTILINE)
_JSON_RESOURCES = re.compile(r'''"Resources"\s*:\s*\{''')
_AWS_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::""")


def is_template(path: Path) -> bool:
    """True for a file that looks like a template; never raises (unreadable files are not templates)."""
    if not path.name.lower().endswith(TEMPLATE_SUFFIXES):
        return False
    try:
        head = confine.read_head(path, _HEAD_BYTES)
    except OSError:
        return False
    return looks_like_template(head)


def looks_like_template(head: bytes) -> bool:
    text = text_of(head)
    if text is None:
        # A multi-byte character cut at the end of the head is still text.
        text = text_of(head[:-4]) if len(head) == _HEAD_BYTES else None
        if text is None:
            return False
    if _VERSION.search(text):
        return True
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return bool(_JSON_RESOURCES.search(text) and _AWS_TYPE.search(text))
    return bool(_YAML_RESOURCES.search(text) and _AWS_TYPE.search(text))
