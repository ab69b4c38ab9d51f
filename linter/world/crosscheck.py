"""The simulation against AWS's own AccessDenied message (issue 18 item 3).

AWS names one policy type that denied (and lately the policy's ARN); when several deny it names one
of them without saying which it picks (access-model 2.8), and it may word an SCP without an Allow as
an explicit deny. When the simulation disagrees, the answer is never a guess: it names the dump that
is missing for that layer, or the value in the dumps that decided otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from why403.model import symbols
from why403.model.denial import DeniedMessage
from why403.world.diagnosis import Diagnosis
from why403.world.explain import LAYERS

LAYER_NAMES = dict(LAYERS)

_RESOURCE_LAYERS = {False: frozenset({"bucket-policy", "access-point-policy", "bucket-acl"}),
                    True: frozenset({"kms-key-policy", "kms-grant"})}
_TYPE_NAMES = {"resource-policy": "resource-based policy", "identity-policy": "identity-based policy",
               "scp": "service control policy", "rcp": "resource control policy",
               "vpc-endpoint-policy": "VPC endpoint policy", "permissions-boundary": "permissions boundary",
               "session-policy": "session policy"}


@dataclass(frozen=True)
class CrossCheck:
    agrees: bool | None  # None: the message names no policy type, so there is nothing to compare
    text: str


def _matches_layer(message: DeniedMessage, layer: str | None, kms: bool) -> bool:
    if message.policy_type == "resource-policy":
        return layer in _RESOURCE_LAYERS[kms]
    return layer == message.policy_type


def cross_check(message: DeniedMessage, diagnosis: Diagnosis) -> CrossCheck:
    d = diagnosis.decision
    said = f"AWS's message says: {message.text}"
    if message.policy_type is None:
        return CrossCheck(None, f"{said}\nIt names no policy type (AWS adds one only for callers of the same account "
                                "or organization), so only the request it describes is used.")
    kind = "an explicit deny in" if message.explicit else "no Allow in"
    aws_says = f"{kind} a {_TYPE_NAMES.get(message.policy_type, message.policy_type)}"
    kms_message = bool(message.action and message.action.lower().startswith("kms:"))
    if d.denied:
        found_kms = d.kms_action is not None
        layer_ok = _matches_layer(message, d.layer, kms_message) and found_kms == kms_message
        explicit = d.outcome == "explicit-deny"
        ours = f"{'an explicit deny' if explicit else 'no Allow'} in the {LAYER_NAMES.get(d.layer or '', d.layer)}" \
            + (f" (S3's {d.kms_action} call to KMS)" if d.kms_action else "")
        if layer_ok and (message.explicit == explicit or (message.policy_type == "scp" and message.explicit)):
            arn_note = _arn_note(message, diagnosis)
            caveat = " (AWS words an SCP that allows nothing as an explicit deny)" \
                if message.policy_type == "scp" and message.explicit and not explicit else ""
            return CrossCheck(arn_note is None or arn_note.startswith("The same"),
                              f"{said}\nThe simulation agrees: {ours}{caveat}." + (f" {arn_note}" if arn_note else ""))
        return CrossCheck(False, f"{said}\nAWS names {aws_says}; the simulation finds {ours} first. When several "
                                 "layers deny, AWS names one of them without saying which: "
                                 + _other_layer(message, diagnosis))
    gaps = [g for g in diagnosis.gaps if _gap_serves(g.layers, message.policy_type, kms_message)]
    if gaps:
        missing = "; ".join(f"{g.describe()}: {g.command}" for g in gaps)
        return CrossCheck(False, f"{said}\nThe simulation does not find {aws_says}: the dumps that would show that "
                                 f"layer are missing: {missing}")
    if d.outcome == "unknown":
        return CrossCheck(False, f"{said}\nThe simulation cannot confirm it: the answer depends on "
                                 + "; ".join(symbols.render(u) for u in d.unknowns[:4]))
    return CrossCheck(False, f"{said}\nThe simulation allows the request with every dump of that layer read: "
                             + _deciding_step(message, diagnosis)
                             + " The dumps may have been taken after the configuration changed (look for "
                               "Put*Policy events after the denial in CloudTrail), or the request differs from "
                               "the one given (principal, network path, headers).")


def _gap_serves(layers: tuple[str, ...], policy_type: str | None, kms: bool) -> bool:
    if policy_type == "resource-policy":
        return bool(set(layers) & _RESOURCE_LAYERS[kms])
    return policy_type in layers or (policy_type in ("scp", "rcp") and bool({"scp", "rcp"} & set(layers)))


def _deciding_step(message: DeniedMessage, diagnosis: Diagnosis) -> str:
    for step in diagnosis.decision.trace:
        if _matches_layer(message, step.layer, step.detail.startswith("kms:")) and step.outcome == "allow":
            return f"the {LAYER_NAMES.get(step.layer, step.layer)} allows it ({step.render()})."
    return f"no {_TYPE_NAMES.get(message.policy_type or '', 'such')} layer denies it in the dumps."


def _other_layer(message: DeniedMessage, diagnosis: Diagnosis) -> str:
    for step in diagnosis.decision.trace:
        if _matches_layer(message, step.layer, False) and step.outcome in ("explicit deny", "no allow"):
            return f"the {LAYER_NAMES.get(step.layer, step.layer)} denies too ({step.render()})."
    gaps = [g for g in diagnosis.gaps if _gap_serves(g.layers, message.policy_type, False)]
    if gaps:
        return "whether it denies too is not in the dumps: " + "; ".join(f"{g.describe()}: {g.command}" for g in gaps)
    return "the simulation stops at the first layer that denies; fixing it may reveal the one AWS named."


def _arn_note(message: DeniedMessage, diagnosis: Diagnosis) -> str | None:
    if not message.policy_arn:
        return None
    policy = diagnosis.decision.policy
    if policy is not None and policy.arn:
        if policy.arn == message.policy_arn:
            return f"The same policy: {policy.arn}."
        return f"But AWS names the policy {message.policy_arn} and the simulation {policy.arn}."
    return f"AWS names the policy {message.policy_arn}."
