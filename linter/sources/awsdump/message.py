"""AWS's AccessDenied text, read: who, what, on which resource, and the policy type it names.

``User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no <type> policy allows
the ACTION action`` (implicit) or ``... with an explicit deny in a <type> policy[: POLICY-ARN]``
(explicit). Older or cross-account messages carry no type (``Access Denied``); then only what they
do say is used.
"""

from __future__ import annotations

import re

from why403.model.denial import DeniedMessage

_HEAD = re.compile(r"User:\s*(?P<principal>\S+)\s+is not authorized to perform:\s*(?P<action>[\w*-]+:[\w*-]+)"
                   r"(?:\s+on resource:\s*\"?(?P<resource>[^\s\"]+)\"?)?", re.IGNORECASE)
_EXPLICIT = re.compile(r"with an explicit deny in (?:a|an|the)\s+(?P<type>[\w\s-]+?)(?:\s+policy)?"
                       r"(?::\s*(?P<arn>arn:\S+?))?\s*(?:$|[.,;]|\s+\()", re.IGNORECASE)
_IMPLICIT = re.compile(r"because no\s+(?P<type>[\w\s-]+?)(?:\s+policy)?\s+allows the\s+(?P<action>\S+)\s+action"
                       r"(?::?\s*(?P<arn>arn:\S+?))?\s*(?:$|[.,;]|\s+\()", re.IGNORECASE)

_TYPES = {
    "identity-based": "identity-policy",
    "resource-based": "resource-policy",
    "service control": "scp",
    "resource control": "rcp",
    "vpc endpoint": "vpc-endpoint-policy",
    "permissions boundary": "permissions-boundary",
    "session": "session-policy",
}


def parse_message(text: str) -> DeniedMessage:
    text = " ".join(text.split())
    principal = action = resource = None
    head = _HEAD.search(text)
    if head is not None:
        principal, action, resource = head.group("principal"), head.group("action"), head.group("resource")
    for pattern, explicit in ((_EXPLICIT, True), (_IMPLICIT, False)):
        m = pattern.search(text)
        if m is None:
            continue
        kind = m.group("type").strip().lower()
        layer = next((v for k, v in _TYPES.items() if kind.startswith(k)), None)
        return DeniedMessage(text, principal, action, resource, explicit, layer, m.group("arn"))
    return DeniedMessage(text, principal, action, resource)
