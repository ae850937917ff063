#!/usr/bin/env python3
"""moto's server for the local stack, where the template's functions are deployed into moto but
run under `cargo lambda watch`, and `deskbell stack run` plays their SQS mappings.

Two of moto's own Lambda behaviours must stay out of the way (moto pinned in
scripts/requirements-local.txt; the patches fail loudly if its internals change):
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

from moto.server import main
from moto.sqs.models import Queue
from moto.utilities.docker_utilities import DockerModel

assert isinstance(DockerModel.__dict__.get("docker_client"), property), "moto changed: DockerModel.docker_client"


def no_docker(self):
    raise AttributeError("no Docker: the functions run under cargo lambda watch")


DockerModel.docker_client = property(no_docker)
# Reads give a fresh empty dict (nothing to invoke); writes, moto's own included, are dropped.
Queue.lambda_event_source_mappings = property(lambda self: {}, lambda self, value: None)

if __name__ == "__main__":
    main()
