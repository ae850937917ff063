#!/usr/bin/env python3
"""Deploys infra/template.yaml into the local emulator (moto), the way SAM deploys it to AWS.

1. Every function's CodeUri points at a placeholder zip in the emulator's S3 (the code that
   runs locally is served by `cargo lambda watch`, not by moto).
2. The SAM template is translated to CloudFormation by aws-sam-translator, as `sam deploy`
   has AWS do, and created as a CloudFormation stack in moto.
3. What moto leaves out of a CloudFormation table is applied as the template says (TTL), and
   the SES identity of the sender domain is created (in AWS it is verified beforehand).
4. What the local runner needs is read back from the deployed stack through the AWS APIs and
   written as JSON: each function's binary and environment, the SQS event source mappings and
   the EventBridge schedules, the stack outputs.

Usage: deploy-local-stack.py ENDPOINT OUT.json [--stack NAME]
Re-running it against the same emulator deletes and recreates the stack.
"""

import argparse
import os
import io
import json
import sys
import time
import zipfile

import boto3
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

TEMPLATE = "infra/template.yaml"
CODE_BUCKET = "deskbell-local-code"
CODE_KEY = "placeholder.zip"
REGION = "eu-west-1"
# Parameters of a local deployment: a sender at example.com, links to a local app.
PARAMETERS = {
    "SenderAddress": "Helpdesk <no-reply@example.com>",
    "SenderDomain": "example.com",
    "AppUrl": "https://help.example.com",
    "AlertEmail": "ops@example.com",
    "Admins": json.dumps([
        {"id": "usr_helen_okafor", "email": "helen.okafor@example.com", "name": "Helen Okafor",
         "locale": "en", "role": "admin"},
        {"id": "usr_marc_fontaine", "email": "marc.fontaine@example.com", "name": "Marc Fontaine",
         "locale": "fr", "role": "admin"},
    ]),
    # The deployed authorizer's; locally tokens are development ones (DESKBELL_DEV_JWT_SECRET).
    "JwtIssuer": "https://auth.help.example.com/",
    "JwtAudience": "deskbell-local",
}


class NoManagedPolicies:
    """The template names its own roles: translating it needs no AWS managed policy."""

    def load(self):
        return {}


def client(service, endpoint):
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def placeholder_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\necho 'served by cargo lambda watch locally' >&2\nexit 1\n")
    return buf.getvalue()


def translate(sam):
    code_uri = f"s3://{CODE_BUCKET}/{CODE_KEY}"
    sam.get("Globals", {}).get("Function", {})["CodeUri"] = code_uri
    binaries = {}
    for name, r in sam["Resources"].items():
        if r["Type"] == "AWS::Serverless::Function":
            r.setdefault("Properties", {})["CodeUri"] = code_uri
            binaries[name] = r.get("Metadata", {}).get("BuildProperties", {}).get("Binary", name)
    return transform(sam, {}, NoManagedPolicies()), binaries


def parameters_of(sam):
    declared = sam.get("Parameters", {})
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items() if k in declared]


def deploy(endpoint, stack):
    s3, cfn = client("s3", endpoint), client("cloudformation", endpoint)
    try:
        s3.create_bucket(Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=placeholder_zip())

    with open(TEMPLATE) as f:
        sam = yaml_parse(f.read())
    cfn_template, binaries = translate(sam)
    if any(s["StackName"] == stack for s in cfn.list_stacks(StackStatusFilter=["CREATE_COMPLETE"])["StackSummaries"]):
        cfn.delete_stack(StackName=stack)
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(cfn_template),
                     Parameters=parameters_of(sam),
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    for _ in range(600):
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if status.endswith("_COMPLETE") or status.endswith("_FAILED"):
            break
        time.sleep(0.1)
    if status != "CREATE_COMPLETE":
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events
                   if e.get("ResourceStatusReason")]
        sys.exit(f"deploy-local-stack: stack {stack} is {status}\n" + "\n".join(reasons))

    # moto creates tables from CloudFormation without their TimeToLiveSpecification: apply it
    # as the template says, so local tables expire (by attribute) like the deployed ones.
    dynamodb = client("dynamodb", endpoint)
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                 for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    for logical, r in cfn_template["Resources"].items():
        ttl = r.get("Properties", {}).get("TimeToLiveSpecification")
        if r["Type"] == "AWS::DynamoDB::Table" and ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(TableName=resources[logical], TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["AttributeName"]})

    ses = client("sesv2", endpoint)
    try:
        ses.create_email_identity(EmailIdentity=PARAMETERS["SenderDomain"])
    except ses.exceptions.AlreadyExistsException:
        pass
    return cfn_template, binaries


def topology(endpoint, stack, cfn_template, binaries):
    """Reads back, through the AWS APIs, what the runner must play: mappings and schedules."""
    cfn, lam, sqs, events = (client(s, endpoint) for s in ("cloudformation", "lambda", "sqs", "events"))
    resources = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    outputs = {o["OutputKey"]: o["OutputValue"]
               for o in cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])}

    aws_sqs = f"https://sqs.{REGION}.amazonaws.com"

    def local(value):
        # CloudFormation's Ref of a queue is its AWS-style URL; locally the queue lives here.
        value = str(value)
        return endpoint + value[len(aws_sqs):] if value.startswith(aws_sqs) else value

    outputs = {k: local(v) for k, v in outputs.items()}
    functions = {}
    by_arn = {}
    for logical, binary in binaries.items():
        config = lam.get_function_configuration(FunctionName=physical[logical])
        functions[binary] = {
            "logical_id": logical,
            "function_name": config["FunctionName"],
            "timeout_secs": config.get("Timeout", 3),
            "env": {k: local(v) for k, v in config.get("Environment", {}).get("Variables", {}).items()},
        }
        by_arn[config["FunctionArn"]] = binary

    def function_of(arn):
        # Targets and mappings may name the function by ARN, ARN with a qualifier, or name.
        for known, binary in by_arn.items():
            if arn == known or arn.startswith(known + ":") or arn == functions[binary]["function_name"]:
                return binary
        return None

    mappings = []
    for m in lam.list_event_source_mappings()["EventSourceMappings"]:
        binary = function_of(m["FunctionArn"])
        if binary is None or ":sqs:" not in m["EventSourceArn"]:
            continue
        queue_name = m["EventSourceArn"].rsplit(":", 1)[1]
        url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attrs.get("RedrivePolicy", "{}"))
        dlq_url = None
        if redrive.get("deadLetterTargetArn"):
            dlq_url = sqs.get_queue_url(QueueName=redrive["deadLetterTargetArn"].rsplit(":", 1)[1])["QueueUrl"]
        mappings.append({
            "function": binary,
            "queue_name": queue_name,
            "queue_arn": m["EventSourceArn"],
            "queue_url": url,
            "dlq_url": dlq_url,
            "max_receive_count": int(redrive.get("maxReceiveCount", 0)),
            "visibility_timeout_secs": int(attrs.get("VisibilityTimeout", 30)),
            "batch_size": m.get("BatchSize", 10),
            "report_batch_item_failures": "ReportBatchItemFailures" in m.get("FunctionResponseTypes", []),
            "maximum_concurrency": m.get("ScalingConfig", {}).get("MaximumConcurrency", 2),
        })

    schedules = []
    for rule in events.list_rules()["Rules"]:
        if not rule.get("ScheduleExpression"):
            continue
        for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
            binary = function_of(target["Arn"])
            if binary is None:
                continue
            schedules.append({
                "name": rule["Name"],
                "arn": rule["Arn"],
                "function": binary,
                "expression": rule["ScheduleExpression"],
                "enabled": rule.get("State", "ENABLED") == "ENABLED",
                "input": json.loads(target["Input"]) if target.get("Input") else None,
            })

    # What only the template says, for the tests that check it against the code: the alarms
    # (their metrics must be the ones the job core emits) and the retry budget mapping.
    alarms = {logical: r["Properties"] for logical, r in cfn_template["Resources"].items()
              if r["Type"] == "AWS::CloudWatch::Alarm"}
    return {
        "alarms": alarms,
        "retry_budget": cfn_template.get("Mappings", {}).get("RetryBudget", {}),
        "endpoint": endpoint,
        "region": REGION,
        "stack": stack,
        "outputs": outputs,
        "resources": {logical: local(p) for logical, p in physical.items() if logical},
        "functions": functions,
        "mappings": sorted(mappings, key=lambda m: m["queue_name"]),
        "schedules": sorted(schedules, key=lambda s: s["name"]),
    }


def main():
    # The translator resolves AWS::Region from the environment.
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", help="the emulator, e.g. http://127.0.0.1:4566")
    parser.add_argument("out", help="where to write the deployed topology (JSON)")
    parser.add_argument("--stack", default="deskbell", help="CloudFormation stack name (default: deskbell)")
    args = parser.parse_args()
    cfn_template, binaries = deploy(args.endpoint, args.stack)
    result = topology(args.endpoint, args.stack, cfn_template, binaries)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
    print(f"deploy-local-stack: stack {args.stack}: {len(result['resources'])} resources, "
          f"{len(result['functions'])} functions, {len(result['mappings'])} SQS mappings, "
          f"{len(result['schedules'])} schedules -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
