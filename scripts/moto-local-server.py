#!/usr/bin/env python3
"""moto's server for the local stack, where the template's functions are deployed into moto but
run under `cargo lambda watch`, and `deskbell stack run` plays their SQS mappings.

Three patches (moto pinned in scripts/requirements-local.txt; each fails loudly if moto's
internals change). One makes the emulator honest where it differs from AWS:
- moto's server handles requests on several threads, and its DynamoDB conditional writes are
  not atomic: two concurrent `UpdateItem`s with `attribute_not_exists(pk)` can both succeed,
  where real DynamoDB serialises writes to an item and lets one win. Every idempotency claim
  of deskbell rests on that guarantee, so DynamoDB requests here run one at a time (a lock
  around moto's DynamoDB dispatch; DynamoDB calls are quick in moto, other services keep
  their threads).

Two of moto's own Lambda behaviours must stay out of the way:
- On every SendMessage to a queue with an event source mapping, moto itself receives a batch
  and tries to run the function in Docker. Each try bumps the messages' receive count, so
  merely sending jobs would push others towards the DLQ. Queues here keep no mapping of
  their own: the runner is the only poller, as Lambda is in AWS. (The mappings themselves are
  still created and listed by the Lambda API.)
- /moto-api/data.json (where moto keeps the emails SES sent) reads every attribute of every
  model, and a deployed function's Docker client raises when there is no Docker. Here it
  raises AttributeError, which the dump skips.

Usage: moto-local-server.py -H 127.0.0.1 -p PORT (moto_server's arguments).
"""

import functools
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main
from moto.sqs.models import Queue
from moto.utilities.docker_utilities import DockerModel

assert isinstance(DockerModel.__dict__.get("docker_client"), property), "moto changed: DockerModel.docker_client"


def no_docker(self):
    raise AttributeError("no Docker: the functions run under cargo lambda watch")


DockerModel.docker_client = property(no_docker)
# Reads give a fresh empty dict (nothing to invoke); writes, moto's own included, are dropped.
Queue.lambda_event_source_mappings = property(lambda self: {}, lambda self, value: None)

assert "call_action" in DynamoHandler.__dict__, "moto changed: DynamoHandler.call_action"
_dynamodb_lock = threading.Lock()
_dynamodb_call_action = DynamoHandler.call_action


@functools.wraps(_dynamodb_call_action)
def serialised_call_action(self):
    with _dynamodb_lock:
        return _dynamodb_call_action(self)


DynamoHandler.call_action = serialised_call_action

if __name__ == "__main__":
    main()
