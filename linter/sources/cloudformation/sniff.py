"""Cheap recognition of CloudFormation templates among other YAML/JSON files.

A repository holds many YAML and JSON files that are not templates (Kubernetes manifests, CI
workflows, package.json, serverless.yml, cdk.out's manifests). Files whose name says what they
are (:func:`never_template`) are not opened; of the others only the head is read, and only
top-level markers count: ``AWSTemplateFormatVersion``, or a top-level ``Resources`` mapping with
``AWS::`` types. The files that are not templates are counted by the caller, never errors.
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


# Files whose name says what they are, and it is not a template: an AppSpec's ``Resources`` is a
# list of ``AWS::Lambda::Function`` targets, a compose file or a workflow never deploys a stack.
_NOT_TEMPLATE_NAMES = frozenset({
    "appspec.yml", "appspec.yaml", "appspec.json", "package.json", "package-lock.json", "composer.json",
    "cdk.json", "cdk.context.json", "samconfig.yaml", "samconfig.yml", "serverless.yml", "serverless.yaml",
    "serverless.json", "compose.yml", "compose.yaml", ".gitlab-ci.yml", "bitbucket-pipelines.yml", "mkdocs.yml",
    ".pre-commit-config.yaml", ".why403.yaml", ".why403.yml", ".cfnlintrc.yaml", ".cfnlintrc.yml",
    ".pre-commit-hooks.yaml", "chart.yaml", "kustomization.yaml", "kustomization.yml", "renovate.json",
    "dependabot.yml", "action.yml", "action.yaml", "openapi.yaml", "openapi.yml", "openapi.json",
    "swagger.yaml", "swagger.yml", "swagger.json", "tree.json", "manifest.json",
})
_NOT_TEMPLATE_PATTERNS = (
    re.compile(r"^(buildspec|docker-compose|tsconfig|\.eslintrc)([._-].*)?\.(ya?ml|json)$"),
    re.compile(r"\.assets\.json$"),
)


def never_template(path: Path) -> bool:
    """A YAML/JSON file that by its name or place is something else (AppSpec, buildspec, compose
    file, CI workflow, package.json, tsconfig, a CDK assembly's manifest): not even sniffed."""
    name = path.name.lower()
    if name in _NOT_TEMPLATE_NAMES or any(p.search(name) for p in _NOT_TEMPLATE_PATTERNS):
        return True
    parts = [part.lower() for part in path.parts[-3:-1]]
    return parts == [".github", "workflows"] or parts[-1:] == [".circleci"]


def is_template(path: Path) -> bool:
    """True for a file that looks like a template; never raises (unreadable files are not templates)."""
    if not path.name.lower().endswith(TEMPLATE_SUFFIXES) or never_template(path):
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
