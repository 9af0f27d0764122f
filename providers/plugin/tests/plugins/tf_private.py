"""The `tf_demo` provider with private data, which the `tf` framework leaves alone: every plan
of a demo_item carries planned private bytes naming the item, and an apply that does not get
those very bytes back fails, as a provider that keeps state in its private data would. Every
apply answers private bytes of its own (`applied-for:NAME`), which later reads and plans of the
object must be given back: Terraform keeps them in state.
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


def _applied(state) -> bytes:
    return f"applied-for:{state['name']}".encode()


def _lost(what: str, got: bytes, wanted: bytes) -> pb.Diagnostic:
    return pb.Diagnostic(
        severity=pb.Diagnostic.ERROR,
        summary=f"stored private data lost before {what}",
        detail=f"got {got!r}, applied {wanted!r}",
    )


class PrivateServicer(tf.provider.ProviderServicer):
    def ReadResource(self, request, context):
        current = read_dynamic_value(request.current_state)
        if current is not None and request.private != _applied(current):
            return pb.ReadResource.Response(
                diagnostics=[_lost("a read", request.private, _applied(current))]
            )
        response = super().ReadResource(request, context)
        response.private = request.private
        return response

    def PlanResourceChange(self, request, context):
        prior = read_dynamic_value(request.prior_state)
        if prior is not None and request.prior_private != _applied(prior):
            return pb.PlanResourceChange.Response(
                diagnostics=[_lost("a plan", request.prior_private, _applied(prior))]
            )
        response = super().PlanResourceChange(request, context)
        proposed = read_dynamic_value(request.proposed_new_state)
        if proposed is not None:
            response.planned_private = _expected(proposed)
        return response

    def ApplyResourceChange(self, request, context):
        planned = read_dynamic_value(request.planned_state)
        prior = read_dynamic_value(request.prior_state)
        if planned is None and prior is not None and request.planned_private != _applied(prior):
            return pb.ApplyResourceChange.Response(
                diagnostics=[_lost("a delete", request.planned_private, _applied(prior))]
            )
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
        response = super().ApplyResourceChange(request, context)
        if planned is not None:
            response.private = _applied(planned)
        return response


tf.provider.ProviderServicer = PrivateServicer

if __name__ == "__main__":
    runner.run_provider(tf_demo.DemoProvider())
