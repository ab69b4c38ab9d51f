"""One decoded template + the run's options -> facts (the cheap step after decoding)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from why403.model import symbols
from why403.model.facts import Diagnostic, SourceOptions, SourceResult
from why403.model.location import Location
from why403.sources.cloudformation import res_compute, res_deliveries, res_iam, res_kms, res_s3, sam
from why403.sources.cloudformation.catalog import SAM_TRANSFORM, known_type
from why403.sources.cloudformation.context import Ctx, Resource
from why403.sources.cloudformation.decode import NESTED_TEMPLATE, ParsedTemplate
from why403.sources.cloudformation.intrinsics import Resolver
from why403.sources.cloudformation.nodes import NOVALUE, text
from why403.sources.cloudformation.parameters import Param, declared
from why403.sources.cloudformation.suppressions import suppressions
from why403.sources.cloudformation.tree import Map, new_map

Handler = Callable[[Ctx, Resource], None]

HANDLERS: dict[str, Handler] = {
    "AWS::S3::Bucket": res_s3.bucket,
    "AWS::S3::BucketPolicy": res_s3.bucket_policy,
    "AWS::S3::AccessPoint": res_s3.access_point,
    "AWS::KMS::Key": res_kms.key,
    "AWS::KMS::ReplicaKey": res_kms.key,
    "AWS::KMS::Alias": res_kms.alias,
    "AWS::EC2::VPCEndpoint": res_compute.endpoint,
    "AWS::EC2::Subnet": res_compute.subnet,
    "AWS::EC2::SubnetRouteTableAssociation": res_compute.route_table_association,
    "AWS::EC2::Instance": res_compute.instance,
    "AWS::EC2::LaunchTemplate": res_compute.launch_template,
    "AWS::AutoScaling::AutoScalingGroup": res_compute.auto_scaling_group,
    "AWS::IAM::InstanceProfile": res_compute.instance_profile,
    "AWS::Lambda::Function": res_compute.function,
    "AWS::Serverless::Function": res_compute.function,
    "AWS::ECS::TaskDefinition": res_compute.task_definition,
    "AWS::ECS::Service": res_compute.ecs_service,
    "AWS::IAM::Role": res_iam.role,
    "AWS::IAM::User": res_iam.user,
    "AWS::IAM::Group": res_iam.group,
    "AWS::IAM::UserToGroupAddition": res_iam.user_to_group,
    "AWS::IAM::Policy": res_iam.policy,
    "AWS::IAM::ManagedPolicy": res_iam.managed_policy,
    "AWS::IAM::RolePolicy": res_iam.principal_policy("role"),
    "AWS::IAM::UserPolicy": res_iam.principal_policy("user"),
    "AWS::IAM::GroupPolicy": res_iam.principal_policy("group"),
    "AWS::Organizations::Policy": res_iam.org_policy,
    **res_deliveries.HANDLERS,
}


def resolver_for(template: Map, options: SourceOptions, supplied: Mapping[str, str],
                 exports: Mapping[str, Any] | None) -> tuple[Resolver, dict[str, Param]]:
    params = declared(template, supplied)
    r = Resolver(template, params, account=options.home_account, region=options.home_region,
                 stack_name=supplied.get("AWS::StackName"), exports=exports)
    return r, params


def build(parsed: ParsedTemplate, options: SourceOptions, supplied: Mapping[str, str],
          exports: Mapping[str, Any] | None = None, nested_read: frozenset[str] = frozenset()) -> SourceResult:
    """Facts for one template. ``exports`` maps export names of the other templates to values;
    ``nested_read`` names the nested stack resources whose templates the run reads too."""
    if parsed.template is None:
        if parsed.error is None:
            return SourceResult(skipped=(parsed.file,))  # not a template after all: counted, not read
        return SourceResult(diagnostics=(parsed.error,), files=(parsed.file,))
    template = _expanded(parsed.template)
    r, params = resolver_for(template, options, supplied, exports)
    ctx = Ctx(parsed.file, r)
    resources = template.get("Resources")
    assert isinstance(resources, Map)
    for lid, node in resources.items():
        _resource(ctx, resources, lid, node)
    _unexpanded(ctx, template)
    for name in sorted(ctx.policy_params):
        p = params[name]
        origins = ", ".join(sorted(ctx.policy_params[name]))
        ctx.diagnostics.append(Diagnostic(
            "note", f"parameter {name} has no value, and the policies {origins} depend on it; supply it with "
            f"--parameter {name}=VALUE or a parameter file (--parameter-file)",
            Location(parsed.file, p.line), code="cfn-parameter"))
    for name in sorted(r.imports_missing):
        ctx.diagnostics.append(Diagnostic(
            "note", f"Fn::ImportValue {symbols.render(name)} is exported by no template in this run; its value is "
            "unknown (pass the exporting template too)", Location(parsed.file, 0), code="cfn-import"))
    return SourceResult(facts=tuple(ctx.facts), diagnostics=tuple(ctx.diagnostics), files=(parsed.file,),
                        resources=parsed.resources, unread=_unread(resources, template, nested_read),
                        unknown_types=unknown_types(parsed.template),
                        needs=tuple(f"export:{name}" for name in sorted(r.imports_found)))


def unknown_types(template: Map) -> tuple[str, ...]:
    """The Type of each resource that CloudFormation's resource specification does not list
    (``Custom::`` resources, registry and module types, misspellings), SAM's types aside in a SAM
    template. A Type that is not a string is the template's error, reported where it is read."""
    resources = template.get("Resources")
    if not isinstance(resources, Map):
        return ()
    sam_template = sam.is_sam(template)
    out = []
    for node in resources.values():
        kind = node.get("Type") if isinstance(node, Map) else None
        if not isinstance(kind, str) or known_type(kind):
            continue
        if not (sam_template and kind.startswith("AWS::Serverless::")):
            out.append(kind)
    return tuple(out)


# Resource types that can create or configure AWS resources the frontend cannot see.
_OPAQUE_TYPES = frozenset({"AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack",
                           "AWS::Serverless::Application", "AWS::CloudFormation::StackSet"})


def _unread(resources: Map, template: Map, nested_read: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Parts of the template that may configure AWS resources out of sight: custom resources,
    nested stacks (but those whose template is read too), third-party and module types, macros
    other than SAM."""
    out = []
    for lid, node in resources.items():
        if lid in nested_read:
            continue
        kind = node.get("Type") if isinstance(node, Map) else None
        if not isinstance(kind, str):
            out.append(f"{lid} (a resource whose Type is not a plain string)")
        elif kind in _OPAQUE_TYPES or kind.startswith("Custom::") or not kind.startswith("AWS::"):
            out.append(f"{lid} ({kind})")
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform] if transform is not None else []
    out += [f"the {n} transform" for n in names if isinstance(n, str) and n != SAM_TRANSFORM]
    return tuple(out)


def _resource(ctx: Ctx, resources: Map, lid: str, node: Any) -> None:
    key_line = resources.key_line(lid)
    if not isinstance(node, Map) or not isinstance(node.get("Type"), str):
        if not lid.startswith("Fn::ForEach::"):
            ctx.diagnostics.append(Diagnostic("warning", f"resource {lid} has no Type; it is not read",
                                              Location(ctx.file, key_line), code="cfn-template"))
        return
    span = Location(ctx.file, key_line, max(node.end_line, key_line))
    sup, problems = suppressions(ctx.file, lid, node, span)
    ctx.facts.extend(sup)
    ctx.diagnostics.extend(problems)
    handler = HANDLERS.get(node["Type"])
    if handler is None:
        return
    maybe = None
    cond = node.get("Condition")
    if isinstance(cond, str):
        with ctx.r.tracking() as seen:
            truth = ctx.r.condition(cond)
        if truth is False:
            return
        if truth is None:
            maybe = f"{lid} exists only when {ctx.r.condition_reason(cond)}"
            ctx.note_params(seen, lid)
    props = node.get("Properties")
    if not isinstance(props, Map):
        props = new_map(node.line, node.end_line)
    res = Resource(lid, node["Type"], props, node, key_line, span.end_line or key_line, maybe)
    before = len(ctx.facts)
    try:
        handler(ctx, res)
    except RecursionError:
        del ctx.facts[before:]
        ctx.diagnostics.append(Diagnostic("error", f"{lid}: the resource is nested too deeply to read",
                                          span, code="cfn-template"))


def _expanded(template: Map) -> Map:
    return sam.expand(template) if sam.is_sam(template) else template


def _unexpanded(ctx: Ctx, template: Map) -> None:
    resources = template.get("Resources")
    if isinstance(resources, Map) and any(k.startswith("Fn::ForEach::") for k in resources):
        ctx.diagnostics.append(Diagnostic(
            "note", "Fn::ForEach (AWS::LanguageExtensions) is not expanded; the resources it generates are not read",
            Location(ctx.file, resources.line), code="cfn-unknown"))


def nested_stacks(parsed: ParsedTemplate) -> dict[str, str]:
    """Logical id -> template file (as the parent names it, relative to its folder) of each nested
    stack whose template the parent names the way CDK writes it (``aws:asset:path`` metadata)."""
    resources = parsed.template.get("Resources") if parsed.template is not None else None
    out: dict[str, str] = {}
    for lid, node in resources.items() if isinstance(resources, Map) else ():
        if not isinstance(node, Map) or node.get("Type") != "AWS::CloudFormation::Stack":
            continue
        meta = node.get("Metadata")
        path = meta.get(NESTED_TEMPLATE) if isinstance(meta, Map) else None
        if isinstance(path, str) and path.endswith(".template.json"):
            out[lid] = path
    return out


def nested_parameters(parsed: ParsedTemplate, lid: str, options: SourceOptions, supplied: Mapping[str, str],
                      exports: Mapping[str, Any] | None) -> dict[str, str]:
    """The parameters the nested stack ``lid`` of this template passes to its template, resolved
    in the parent (a list is passed as CloudFormation passes it: comma-separated)."""
    assert parsed.template is not None
    r, _ = resolver_for(_expanded(parsed.template), options, supplied, exports)
    resources = parsed.template.get("Resources")
    node = resources.get(lid) if isinstance(resources, Map) else None
    props = node.get("Properties") if isinstance(node, Map) else None
    params = props.get("Parameters") if isinstance(props, Map) else None
    out: dict[str, str] = {}
    for name, raw in params.items() if isinstance(params, Map) else ():
        value = r.value(raw)
        if value is NOVALUE:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[name] = ",".join(value)
        else:
            out[name] = value if isinstance(value, str) else text(value, f"parameter {name} of {lid}")
    return out


def exports(parsed: ParsedTemplate, options: SourceOptions, supplied: Mapping[str, str],
            known: Mapping[str, Any] | None) -> dict[str, Any]:
    """The Export names and values of one template's Outputs (with other templates' exports ``known``)."""
    outputs = parsed.template.get("Outputs") if parsed.template is not None else None
    exported = [o for o in outputs.values() if isinstance(o, dict) and isinstance(o.get("Export"), dict)] \
        if isinstance(outputs, dict) else []
    if not exported or parsed.template is None:
        return {}  # most templates: neither the SAM expansion nor a resolver is needed
    # The expansion leaves Outputs as they are, but their values may name the roles it adds.
    r, _ = resolver_for(_expanded(parsed.template), options, supplied, known)
    out: dict[str, Any] = {}
    for output in exported:
        cond = output.get("Condition")
        if isinstance(cond, str) and r.condition(cond) is not True:
            continue
        name = r.value(output["Export"].get("Name"))
        if not isinstance(name, str):
            continue
        value = r.value(output.get("Value"))
        if value is NOVALUE:
            continue
        out[name] = value if isinstance(value, list | str) else text(value, f"export {name}")
    return out
