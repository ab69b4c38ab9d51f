"""EC2 dumps: the VPC endpoints (type, VPC, Region, policy, route tables) and the route tables that
send a subnet's S3 traffic through a gateway endpoint."""

from __future__ import annotations

from typing import Any

from why403.model import symbols
from why403.model.facts import EndpointFact, RouteTableAssociationFact
from why403.model.location import Location
from why403.model.policy import PolicyKind
from why403.sources.awsdump.context import Reader
from why403.sources.awsdump.files import DumpFile, Located


def read_endpoints(reader: Reader, dump: DumpFile, account: str | None) -> None:
    for located, item in reader.listed(dump, "VpcEndpoints", "the endpoints"):
        _endpoint(reader, dump, located, item, account)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value or () if isinstance(v, str)) if isinstance(value, list) else ()


def _endpoint(reader: Reader, dump: DumpFile, located: Located, item: dict[str, Any], account: str | None) -> None:
    endpoint_id = item.get("VpcEndpointId")
    service = item.get("ServiceName")
    if not isinstance(endpoint_id, str) or not isinstance(service, str):
        reader.error(dump, "an endpoint without VpcEndpointId or ServiceName", located.line(item))
        return
    parts = service.split(".")
    region = parts[2] if len(parts) >= 4 and parts[0] == "com" else symbols.unknown(f"region of {endpoint_id}")
    raw = item.get("PolicyDocument")
    policy = reader.policy(raw, PolicyKind.ENDPOINT, f"endpoint policy of {endpoint_id}", dump, located, item,
                           "PolicyDocument") if raw is not None else None
    owner = item.get("OwnerId") if isinstance(item.get("OwnerId"), str) else account
    reader.facts.append(EndpointFact(
        ref=endpoint_id, location=Location(dump.file, located.line(item)), endpoint_id=endpoint_id,
        service_name=service, endpoint_type=str(item.get("VpcEndpointType") or "Gateway"),
        vpc_id=str(item.get("VpcId") or symbols.unknown(f"VPC of {endpoint_id}")),
        account=owner or symbols.unknown(f"account of {endpoint_id}"), region=region, policy=policy,
        route_table_ids=_strings(item.get("RouteTableIds")), subnet_ids=_strings(item.get("SubnetIds"))))


def read_route_tables(reader: Reader, dump: DumpFile) -> None:
    for located, table in reader.listed(dump, "RouteTables", "the route tables"):
        if not isinstance(table.get("RouteTableId"), str):
            continue
        for assoc in table.get("Associations") or ():
            if isinstance(assoc, dict) and isinstance(assoc.get("SubnetId"), str):
                reader.facts.append(RouteTableAssociationFact(
                    ref=str(assoc.get("RouteTableAssociationId") or table["RouteTableId"]),
                    location=Location(dump.file, located.line(assoc)), subnet_id=assoc["SubnetId"],
                    route_table_id=table["RouteTableId"]))
