"""The `tf_demo` provider with private data, which the `tf` framework leaves alone: every plan
of a demo_item carries planned private bytes naming the item, and an apply that does not get
those very bytes back fails, as a provider that keeps state in its private data would.
The private bytes of each create and update are appended to the file PLINTH_PRIVATE_LOG names."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tf.provider  # noqa: E402
from tf import runner  # noqa: E402
from tf.gen import tfplugin_pb2 as pb  # noqa: E402
from tf.utils import read_dynamic_value  # noqa: E402

import tf_demo  # noqa: E402


def _expected(state) -> bytes:
    return f"planned-for:{state['name']}".encode()


class PrivateServicer(tf.provider.ProviderServicer):
    def PlanResourceChange(self, request, context):
        response = super().PlanResourceChange(request, context)
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is not None:
            response.planned_private = _expected(proposed)
        return response

    def ApplyResourceChange(self, request, context):
        planned = read_dynamic_value(request.planned_state)
        if planned is not None and request.planned_private != _expected(planned):
            return pb.ApplyResourceChange.Response(
                diagnostics=[
                    pb.Diagnostic(
                        severity=pb.Diagnostic.ERROR,
                        summary="planned private data lost",
                        detail=f"got {request.planned_private!r}, planned {_expected(planned)!r}",
                    )
                ]
            )
        if planned is not None:
            with open(os.environ["PLINTH_PRIVATE_LOG"], "ab") as log:
                log.write(request.planned_private + b"\n")
        return super().ApplyResourceChange(request, context)


tf.provider.ProviderServicer = PrivateServicer

if __name__ == "__main__":
    runner.run_provider(tf_demo.DemoProvider())
