"""What a deploy made, read back through the AWS APIs and compared with the template it came from.

    verify(Template.load("cdk.out/Framecast.template.json"), client_for_service, "Framecast")

Each resource of the stack is looked up by its physical id (CloudFormation ListStackResources) and
its settings are compared with the template's, intrinsics resolved against the live stack: the HTTP
API's routes (and no route the template lacks), their integrations and the JWT authorizer; every
function's handler, runtime, architecture, memory, timeout, disk, role, layers, log group and
environment; the tables' keys, indexes, billing and protection; the buckets' versioning,
encryption and public-access block, and the bucket policies; the distribution's origins and
behaviours; the alarms; the sweep schedule and its target.

A difference fails the check, except the settings in EMULATOR_IGNORES, which MiniStack accepts and
does not keep; those are listed as ignored. Against AWS, pass `ignores={}`. `make deploy-local`
runs it (cli/deploy_local.py); `leftovers` checks a `cdk destroy` against the removal policies.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

Client = Callable[[str], Any]
# (resource type, setting) -> what MiniStack 1.5.33 does with it: accepts and forgets it.
EMULATOR_IGNORES: dict[tuple[str, str], str] = {
    ("AWS::ApiGatewayV2::Stage", "DefaultRouteSettings"): "stage throttling is accepted, not stored",
    ("AWS::ApiGatewayV2::Stage", "RouteSettings"): "per-route throttling is accepted, not stored",
    ("AWS::Lambda::Function", "ReservedConcurrentExecutions"): "reserved concurrency is not applied",
    ("AWS::S3::Bucket", "LifecycleConfiguration"): "lifecycle rules are not applied",
    ("AWS::S3::Bucket", "OwnershipControls"): "object ownership is not applied",
    ("AWS::DynamoDB::Table", "TimeToLiveSpecification"): "TTL is not applied from the template",
    ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification"): "point-in-time recovery is not applied",
    ("AWS::DynamoDB::Table", "SSESpecification"): "encryption settings are not reported",
    ("AWS::SNS::Topic", "KmsMasterKeyId"): "the topic's key is not applied",
    ("AWS::SecretsManager::Secret", "Ref"): "a secret's Ref gives its name, not its ARN",
}


class Unresolved(Exception):
    pass


@dataclass
class Template:
    resources: dict[str, dict[str, Any]]
    parameters: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> "Template":
        data = json.loads(path.read_text())
        return cls(data["Resources"], data.get("Parameters", {}))

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: r.get("Properties", {}) for k, r in self.resources.items() if r["Type"] == kind}


@dataclass
class Report:
    checked: int = 0
    differences: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


@dataclass
class Live:
    """The deployed stack: physical ids, and the attributes `Fn::GetAtt` asks for, read from AWS."""

    client: Client
    template: Template
    physical: dict[str, str]
    region: str
    account: str

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.physical:
            return self.physical[name]
        if name in self.template.parameters and "Default" in self.template.parameters[name]:
            return str(self.template.parameters[name]["Default"])
        raise Unresolved(f"Ref {name}")

    def get_att(self, logical: str, attribute: str) -> str:
        kind = self.template.resources[logical]["Type"]
        physical = self.physical[logical]
        arn = f"arn:aws:{{}}:{self.region}:{self.account}:{{}}"
        if (kind, attribute) == ("AWS::Lambda::Function", "Arn"):
            return str(self.client("lambda").get_function_configuration(FunctionName=physical)["FunctionArn"])
        if (kind, attribute) == ("AWS::IAM::Role", "Arn"):
            return str(self.client("iam").get_role(RoleName=physical)["Role"]["Arn"])
        if (kind, attribute) == ("AWS::DynamoDB::Table", "Arn"):
            return str(self.client("dynamodb").describe_table(TableName=physical)["Table"]["TableArn"])
        if kind == "AWS::S3::Bucket":
            return {
                "Arn": f"arn:aws:s3:::{physical}",
                "DomainName": f"{physical}.s3.amazonaws.com",
                "RegionalDomainName": f"{physical}.s3.{self.region}.amazonaws.com",
            }[attribute]
        if (kind, attribute) == ("AWS::Logs::LogGroup", "Arn"):
            return arn.format("logs", f"log-group:{physical}:*")
        if (kind, attribute) == ("AWS::KMS::Key", "Arn"):
            return str(self.client("kms").describe_key(KeyId=physical)["KeyMetadata"]["Arn"])
        if (kind, attribute) == ("AWS::Cognito::UserPool", "Arn"):
            return str(self.client("cognito-idp").describe_user_pool(UserPoolId=physical)["UserPool"]["Arn"])
        if (kind, attribute) == ("AWS::CloudFront::Distribution", "DomainName"):
            return str(self.client("cloudfront").get_distribution(Id=physical)["Distribution"]["DomainName"])
        if (kind, attribute) == ("AWS::ApiGatewayV2::Api", "ApiEndpoint"):
            return str(self.client("apigatewayv2").get_api(ApiId=physical)["ApiEndpoint"])
        if (kind, attribute) == ("AWS::SNS::Topic", "TopicArn"):
            return physical
        raise Unresolved(f"Fn::GetAtt {logical}.{attribute}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            [(key, arg)] = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.get_att(logical, attribute)
            if key == "Fn::Join":
                return arg[0].join(str(self.resolve(part)) for part in self.resolve(arg[1]))
            if key == "Fn::Select":
                return self.resolve(arg[1])[int(arg[0])]
            if key == "Fn::Split":
                return str(self.resolve(arg[1])).split(arg[0])
            if key == "Fn::Sub":
                text, names = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return self._sub(text, {k: self.resolve(v) for k, v in names.items()})
            if key.startswith("Fn::"):
                raise Unresolved(key)
        return {k: self.resolve(v) for k, v in value.items()}

    def _sub(self, text: str, names: dict[str, Any]) -> str:
        out, rest = [], text
        while "${" in rest:
            before, _, after = rest.partition("${")
            name, _, rest = after.partition("}")
            out.append(before)
            if name in names:
                out.append(str(names[name]))
            elif "." in name:
                out.append(self.get_att(*name.split(".", 1)))
            else:
                out.append(self.ref(name))
        return "".join(out) + rest


def _norm(value: Any) -> Any:
    """Numbers and booleans as CloudFormation passes them (strings are equal to their values)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


@dataclass
class Verifier:
    live: Live
    ignores: dict[tuple[str, str], str]
    report: Report = field(default_factory=Report)

    def compare(self, logical: str, kind: str, setting: str, wanted: Any, got: Any) -> None:
        """One setting: the template's value (resolved) against the live one."""
        try:
            wanted = self.live.resolve(wanted)
        except Unresolved as error:
            self.report.differences.append(f"{logical} ({kind}) {setting}: cannot resolve {error}")
            return
        if _norm(wanted) == _norm(got):
            self.report.checked += 1
            return
        line = f"{logical} ({kind}) {setting}: template {json.dumps(wanted)[:300]}, live {json.dumps(got)[:300]}"
        reason = self.ignores.get((kind, setting.split(".")[0]))
        if reason:
            self.report.ignored.append(f"{line} [{reason}]")
        else:
            self.report.differences.append(line)

    def each(self, kind: str, check: Callable[[str, str, dict[str, Any]], None]) -> None:
        for logical, props in self.live.template.of_type(kind).items():
            physical = self.live.physical.get(logical)
            if not physical:
                self.report.differences.append(f"{logical} ({kind}): not in the deployed stack")
                continue
            try:
                check(logical, physical, props)
            except ClientError as error:
                self.report.differences.append(f"{logical} ({kind}) {physical}: {error}")

    # Per type ----------------------------------------------------------------------------------

    def function(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::Lambda::Function"
        lam = self.live.client("lambda")
        config = lam.get_function_configuration(FunctionName=physical)
        for setting in ("Handler", "Runtime", "MemorySize", "Timeout", "Role", "Architectures"):
            if setting in props:
                self.compare(logical, kind, setting, props[setting], config.get(setting))
        if "EphemeralStorage" in props:
            self.compare(logical, kind, "EphemeralStorage", props["EphemeralStorage"], config.get("EphemeralStorage"))
        wanted_env = props.get("Environment", {}).get("Variables", {})
        live_env = config.get("Environment", {}).get("Variables", {})
        for name in sorted(set(wanted_env) | set(live_env)):
            self.compare(logical, kind, f"Environment.{name}", wanted_env.get(name), live_env.get(name))
        if "Layers" in props:
            self.compare(logical, kind, "Layers", props["Layers"], [layer["Arn"] for layer in config.get("Layers", [])])
        if "LoggingConfig" in props:
            got = config.get("LoggingConfig", {}).get("LogGroup")
            self.compare(logical, kind, "LoggingConfig.LogGroup", props["LoggingConfig"].get("LogGroup"), got)
        if "ReservedConcurrentExecutions" in props:
            reserved = lam.get_function_concurrency(FunctionName=physical).get("ReservedConcurrentExecutions")
            self.compare(logical, kind, "ReservedConcurrentExecutions", props["ReservedConcurrentExecutions"], reserved)

    def http_api(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::ApiGatewayV2::Route"
        api = self.live.client("apigatewayv2")
        live_routes = {r["RouteKey"]: r for r in api.get_routes(ApiId=physical, MaxResults="500")["Items"]}
        routes = {
            p["RouteKey"]: (k, p)
            for k, p in self.live.template.of_type(kind).items()
            if p.get("ApiId") == {"Ref": logical}
        }
        for key in sorted(set(live_routes) - set(routes)):
            self.report.differences.append(f"{logical}: live route {key!r} is not in the template")
        for key, (route, wanted) in sorted(routes.items()):
            got = live_routes.get(key)
            if got is None:
                self.report.differences.append(f"{route} ({kind}) {key!r}: not deployed")
                continue
            for setting in ("AuthorizationType", "AuthorizerId", "Target"):
                self.compare(
                    route,
                    kind,
                    setting,
                    wanted.get(setting, "NONE" if setting == "AuthorizationType" else None),
                    got.get(setting),
                )
            if not got.get("Target"):
                self.report.differences.append(f"{route} ({kind}) {key!r}: no integration (Target)")
        for integration, wanted in self.live.template.of_type("AWS::ApiGatewayV2::Integration").items():
            got = api.get_integration(ApiId=physical, IntegrationId=self.live.physical[integration])
            for setting in ("IntegrationType", "IntegrationUri", "PayloadFormatVersion"):
                self.compare(
                    integration, "AWS::ApiGatewayV2::Integration", setting, wanted.get(setting), got.get(setting)
                )
        for authorizer, wanted in self.live.template.of_type("AWS::ApiGatewayV2::Authorizer").items():
            got = api.get_authorizer(ApiId=physical, AuthorizerId=self.live.physical[authorizer])
            for setting in ("AuthorizerType", "IdentitySource"):
                self.compare(
                    authorizer, "AWS::ApiGatewayV2::Authorizer", setting, wanted.get(setting), got.get(setting)
                )
            jwt = got.get("JwtConfiguration", {})
            self.compare(
                authorizer,
                "AWS::ApiGatewayV2::Authorizer",
                "JwtConfiguration.Issuer",
                wanted["JwtConfiguration"]["Issuer"],
                jwt.get("Issuer"),
            )
            try:
                audience = _sorted(self.live.resolve(wanted["JwtConfiguration"]["Audience"]))
            except Unresolved as error:
                audience = [str(error)]
            self.compare(
                authorizer,
                "AWS::ApiGatewayV2::Authorizer",
                "JwtConfiguration.Audience",
                audience,
                _sorted(jwt.get("Audience", [])),
            )
        for stage, wanted in self.live.template.of_type("AWS::ApiGatewayV2::Stage").items():
            got = api.get_stage(ApiId=physical, StageName=self.live.physical[stage])
            kind = "AWS::ApiGatewayV2::Stage"
            self.compare(stage, kind, "AutoDeploy", wanted.get("AutoDeploy", False), got.get("AutoDeploy"))
            self.compare(
                stage, kind, "AccessLogSettings", wanted.get("AccessLogSettings"), got.get("AccessLogSettings")
            )
            live_default = got.get("DefaultRouteSettings", {})
            for setting in ("ThrottlingBurstLimit", "ThrottlingRateLimit"):
                self.compare(
                    stage,
                    kind,
                    f"DefaultRouteSettings.{setting}",
                    wanted.get("DefaultRouteSettings", {}).get(setting),
                    live_default.get(setting),
                )
            for key, settings in wanted.get("RouteSettings", {}).items():
                got_route = got.get("RouteSettings", {}).get(key, {})
                for setting, value in settings.items():
                    self.compare(stage, kind, f"RouteSettings.{key}.{setting}", value, got_route.get(setting))

    def table(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::DynamoDB::Table"
        dynamodb = self.live.client("dynamodb")
        got = dynamodb.describe_table(TableName=physical)["Table"]
        self.compare(logical, kind, "KeySchema", props["KeySchema"], got["KeySchema"])
        self.compare(
            logical,
            kind,
            "AttributeDefinitions",
            _sorted(props["AttributeDefinitions"]),
            _sorted(got["AttributeDefinitions"]),
        )
        billing = got.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
        self.compare(logical, kind, "BillingMode", props.get("BillingMode", "PROVISIONED"), billing)
        self.compare(
            logical,
            kind,
            "DeletionProtectionEnabled",
            props.get("DeletionProtectionEnabled", False),
            got.get("DeletionProtectionEnabled", False),
        )
        wanted_indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        live_indexes = {i["IndexName"]: i for i in got.get("GlobalSecondaryIndexes", [])}
        self.compare(logical, kind, "GlobalSecondaryIndexes", sorted(wanted_indexes), sorted(live_indexes))
        for name, index in wanted_indexes.items():
            if name in live_indexes:
                self.compare(
                    logical,
                    kind,
                    f"GlobalSecondaryIndexes.{name}.KeySchema",
                    index["KeySchema"],
                    live_indexes[name]["KeySchema"],
                )
                self.compare(
                    logical,
                    kind,
                    f"GlobalSecondaryIndexes.{name}.Projection",
                    index["Projection"],
                    live_indexes[name]["Projection"],
                )
        if "TimeToLiveSpecification" in props:
            ttl = dynamodb.describe_time_to_live(TableName=physical)["TimeToLiveDescription"]
            live_ttl = {"AttributeName": ttl.get("AttributeName"), "Enabled": ttl.get("TimeToLiveStatus") == "ENABLED"}
            self.compare(logical, kind, "TimeToLiveSpecification", props["TimeToLiveSpecification"], live_ttl)
        if "PointInTimeRecoverySpecification" in props:
            backups = dynamodb.describe_continuous_backups(TableName=physical)["ContinuousBackupsDescription"]
            status = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
            self.compare(
                logical,
                kind,
                "PointInTimeRecoverySpecification",
                props["PointInTimeRecoverySpecification"],
                {"PointInTimeRecoveryEnabled": status == "ENABLED"},
            )
        if "SSESpecification" in props:
            enabled = got.get("SSEDescription", {}).get("Status") in {"ENABLED", "ENABLING"}
            self.compare(logical, kind, "SSESpecification", props["SSESpecification"], {"SSEEnabled": enabled})

    def bucket(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::S3::Bucket"
        s3 = self.live.client("s3")
        if "VersioningConfiguration" in props:
            status = s3.get_bucket_versioning(Bucket=physical).get("Status")
            self.compare(logical, kind, "VersioningConfiguration", props["VersioningConfiguration"], {"Status": status})
        if "BucketEncryption" in props:
            rules = s3.get_bucket_encryption(Bucket=physical)["ServerSideEncryptionConfiguration"]["Rules"]
            wanted = [
                r["ServerSideEncryptionByDefault"]
                for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            self.compare(
                logical, kind, "BucketEncryption", wanted, [r["ApplyServerSideEncryptionByDefault"] for r in rules]
            )
        if "PublicAccessBlockConfiguration" in props:
            block = s3.get_public_access_block(Bucket=physical)["PublicAccessBlockConfiguration"]
            self.compare(
                logical, kind, "PublicAccessBlockConfiguration", props["PublicAccessBlockConfiguration"], block
            )
        if "LifecycleConfiguration" in props:
            try:
                rules = s3.get_bucket_lifecycle_configuration(Bucket=physical).get("Rules", [])
            except ClientError:
                rules = []
            self.compare(
                logical, kind, "LifecycleConfiguration", len(props["LifecycleConfiguration"]["Rules"]), len(rules)
            )
        if "OwnershipControls" in props:
            try:
                got = s3.get_bucket_ownership_controls(Bucket=physical)["OwnershipControls"]
            except ClientError:
                got = None
            self.compare(logical, kind, "OwnershipControls", props["OwnershipControls"], got)
        if "CorsConfiguration" in props:
            count = len(s3.get_bucket_cors(Bucket=physical).get("CORSRules", []))
            self.compare(logical, kind, "CorsConfiguration", len(props["CorsConfiguration"]["CorsRules"]), count)

    def bucket_policy(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        bucket = self.live.resolve(props["Bucket"])
        got = json.loads(self.live.client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
        wanted = props["PolicyDocument"]
        self.compare(
            logical, "AWS::S3::BucketPolicy", "PolicyDocument.Statement", wanted["Statement"], got["Statement"]
        )

    def distribution(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::CloudFront::Distribution"
        got = self.live.client("cloudfront").get_distribution_config(Id=physical)["DistributionConfig"]
        wanted = props["DistributionConfig"]
        origins = {o["Id"]: o["DomainName"] for o in got["Origins"]["Items"]}
        self.compare(logical, kind, "Origins", {o["Id"]: o["DomainName"] for o in wanted["Origins"]}, origins)
        live_behaviours = {"*": got["DefaultCacheBehavior"]} | {
            b["PathPattern"]: b for b in got.get("CacheBehaviors", {}).get("Items", [])
        }
        behaviours = {"*": wanted["DefaultCacheBehavior"]} | {
            b["PathPattern"]: b for b in wanted.get("CacheBehaviors", [])
        }
        self.compare(logical, kind, "CacheBehaviors", sorted(behaviours), sorted(live_behaviours))
        for path, behaviour in behaviours.items():
            live = live_behaviours.get(path, {})
            for setting in (
                "TargetOriginId",
                "ViewerProtocolPolicy",
                "CachePolicyId",
                "OriginRequestPolicyId",
                "Compress",
            ):
                if setting in behaviour:
                    self.compare(logical, kind, f"Behaviour {path}.{setting}", behaviour[setting], live.get(setting))
            if "TrustedKeyGroups" in behaviour:
                items = live.get("TrustedKeyGroups", {}).get("Items", [])
                self.compare(logical, kind, f"Behaviour {path}.TrustedKeyGroups", behaviour["TrustedKeyGroups"], items)
            if "AllowedMethods" in behaviour:
                methods = sorted(live.get("AllowedMethods", {}).get("Items", []))
                self.compare(
                    logical, kind, f"Behaviour {path}.AllowedMethods", sorted(behaviour["AllowedMethods"]), methods
                )
        for setting in ("DefaultRootObject", "Enabled", "HttpVersion", "PriceClass"):
            if setting in wanted:
                self.compare(logical, kind, setting, wanted[setting], got.get(setting))

    def alarm(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::CloudWatch::Alarm"
        [got] = self.live.client("cloudwatch").describe_alarms(AlarmNames=[physical])["MetricAlarms"]
        for setting in (
            "MetricName",
            "Namespace",
            "Statistic",
            "Period",
            "EvaluationPeriods",
            "Threshold",
            "ComparisonOperator",
            "TreatMissingData",
            "AlarmActions",
        ):
            if setting in props:
                self.compare(logical, kind, setting, props[setting], got.get(setting))
        if "Dimensions" in props:
            self.compare(logical, kind, "Dimensions", _sorted(props["Dimensions"]), _sorted(got.get("Dimensions", [])))

    def rule(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        kind = "AWS::Events::Rule"
        events = self.live.client("events")
        name = physical.split("|")[-1]
        got = events.describe_rule(Name=name)
        for setting in ("ScheduleExpression", "State"):
            if setting in props:
                self.compare(logical, kind, setting, props[setting], got.get(setting))
        targets = events.list_targets_by_rule(Rule=name)["Targets"]
        self.compare(
            logical,
            kind,
            "Targets",
            [{"Arn": t["Arn"], "Id": t["Id"]} for t in props.get("Targets", [])],
            [{"Arn": t["Arn"], "Id": t["Id"]} for t in targets],
        )

    def secret(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        # On AWS a secret's Ref (its physical id) is its ARN, which is what the functions are given.
        got = self.live.client("secretsmanager").describe_secret(SecretId=physical)["ARN"]
        self.compare(logical, "AWS::SecretsManager::Secret", "Ref", got, physical)

    def topic(self, logical: str, physical: str, props: dict[str, Any]) -> None:
        attributes = self.live.client("sns").get_topic_attributes(TopicArn=physical)["Attributes"]
        if "KmsMasterKeyId" in props:
            self.compare(
                logical, "AWS::SNS::Topic", "KmsMasterKeyId", props["KmsMasterKeyId"], attributes.get("KmsMasterKeyId")
            )

    def run(self) -> Report:
        self.each("AWS::Lambda::Function", self.function)
        self.each("AWS::ApiGatewayV2::Api", self.http_api)
        self.each("AWS::DynamoDB::Table", self.table)
        self.each("AWS::S3::Bucket", self.bucket)
        self.each("AWS::S3::BucketPolicy", self.bucket_policy)
        self.each("AWS::CloudFront::Distribution", self.distribution)
        self.each("AWS::CloudWatch::Alarm", self.alarm)
        self.each("AWS::Events::Rule", self.rule)
        self.each("AWS::SecretsManager::Secret", self.secret)
        self.each("AWS::SNS::Topic", self.topic)
        return self.report


def stack_physical_ids(client: Client, stack: str) -> dict[str, str]:
    pages = client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack)
    return {
        r["LogicalResourceId"]: r.get("PhysicalResourceId", "")
        for page in pages
        for r in page["StackResourceSummaries"]
    }


def verify(template: Template, client: Client, stack: str, ignores: dict[tuple[str, str], str] | None = None) -> Report:
    """The live stack against its template; differences outside `ignores` (EMULATOR_IGNORES by default)."""
    [described] = client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    _, _, _, region, account, _ = described["StackId"].split(":", 5)
    live = Live(client, template, stack_physical_ids(client, stack), region, account)
    return Verifier(live, EMULATOR_IGNORES if ignores is None else ignores).run()


def _exists(client: Client, kind: str, physical: str) -> bool | None:
    """Whether the resource is still there; None for types this does not check."""
    probes: dict[str, Callable[[], Any]] = {
        "AWS::DynamoDB::Table": lambda: client("dynamodb").describe_table(TableName=physical),
        "AWS::S3::Bucket": lambda: client("s3").head_bucket(Bucket=physical),
        "AWS::Lambda::Function": lambda: client("lambda").get_function(FunctionName=physical),
        "AWS::Cognito::UserPool": lambda: client("cognito-idp").describe_user_pool(UserPoolId=physical),
        "AWS::ApiGatewayV2::Api": lambda: client("apigatewayv2").get_api(ApiId=physical),
        "AWS::CloudFront::Distribution": lambda: client("cloudfront").get_distribution(Id=physical),
        "AWS::SNS::Topic": lambda: client("sns").get_topic_attributes(TopicArn=physical),
        "AWS::IAM::Role": lambda: client("iam").get_role(RoleName=physical),
    }
    if kind == "AWS::SecretsManager::Secret":
        try:
            return "DeletedDate" not in client("secretsmanager").describe_secret(SecretId=physical)
        except ClientError:
            return False
    if kind not in probes:
        return None
    try:
        probes[kind]()
    except ClientError:
        return False
    return True


def leftovers(template: Template, physical: dict[str, str], client: Client) -> tuple[list[str], list[str]]:
    """After `cdk destroy`: (what is kept, as its DeletionPolicy says), (what is wrong: kept but
    deleted, or deleted but kept)."""
    kept, wrong = [], []
    for logical, resource in template.resources.items():
        if logical not in physical:
            continue
        present = _exists(client, resource["Type"], physical[logical])
        if present is None:
            continue
        retain = resource.get("DeletionPolicy") in {"Retain", "RetainExceptOnCreate"}
        if retain and present:
            kept.append(f"{logical} ({resource['Type']})")
        elif retain:
            wrong.append(f"{logical} ({resource['Type']}) should be retained and is gone")
        elif present:
            wrong.append(f"{logical} ({resource['Type']}) {physical[logical]} should be deleted and is still there")
    return kept, wrong
