"""A small Terraform provider written with PyPI's `tf` framework, for plinth's plugin tests.

`demo_item` objects are JSON files in the directory the provider block's `store` names, so
state survives provider restarts and tests can change objects behind the provider's back.
Content "crash" makes create exit mid-call, "hang" makes it never answer, "garbage" makes the
apply answer bytes that are not MessagePack (before anything is made).
"""

import json
import os
import sys
import time
import uuid
from pathlib import Path

from tf import runner
from tf.function import CallContext, Function, FunctionSignature, Parameter, Return
from tf.iface import Config, DataSource, Provider, Resource, State
from tf.schema import Attribute, Schema
from tf.types import Map, Number, String
from tf.utils import Diagnostics


class DemoProvider(Provider):
    def __init__(self):
        self.store = None

    def get_model_prefix(self) -> str:
        return "demo_"

    def full_name(self) -> str:
        return "example.com/plinth/demo"

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema(attributes=[Attribute("store", String(), required=True)])

    def validate_config(self, diags: Diagnostics, config: Config):
        pass

    def configure_provider(self, diags: Diagnostics, config: Config):
        self.store = Path(config["store"])
        self.store.mkdir(parents=True, exist_ok=True)
        print(f"configured with store {self.store}", file=sys.stderr, flush=True)

    def get_data_sources(self):
        return [DemoLookup]

    def get_resources(self):
        return [DemoItem]

    def get_functions(self):
        return [Shout]


def _path(provider: DemoProvider, item_id: str) -> Path:
    return provider.store / f"{item_id}.json"


class DemoItem(Resource):
    def __init__(self, provider: DemoProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "item"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            version=1,
            attributes=[
                Attribute("id", String(), computed=True),
                Attribute("name", String(), required=True, requires_replace=True),
                Attribute("content", String(), optional=True),
                Attribute("size", Number(), computed=True),
                Attribute("secret", String(), optional=True, sensitive=True),
                Attribute("tags", Map(String()), optional=True),
            ],
        )

    def _save(self, state: State) -> State:
        content = state.get("content") or ""
        if content == "crash":
            print("demo: crashing on purpose", file=sys.stderr, flush=True)
            os._exit(3)
        if content == "hang":
            print("demo: hanging on purpose", file=sys.stderr, flush=True)
            time.sleep(3600)
        state = dict(state)
        state["size"] = len(content)
        _path(self.provider, state["id"]).write_text(json.dumps(state))
        return state

    def create(self, ctx, planned: State):
        return self._save({**planned, "id": uuid.uuid4().hex[:12]})

    def read(self, ctx, current: State):
        path = _path(self.provider, current["id"])
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def update(self, ctx, current: State, planned: State):
        return self._save({**planned, "id": current["id"]})

    def delete(self, ctx, current: State):
        _path(self.provider, current["id"]).unlink(missing_ok=True)

    def import_(self, ctx, id: str):
        path = _path(self.provider, id)
        if not path.exists():
            ctx.diagnostics.add_error(f"no demo_item {id}", "nothing stored under that id")
            return None
        return json.loads(path.read_text())

    def upgrade(self, ctx, version: int, old: State):
        # Version 0 called the content "text".
        if version == 0 and "text" in old:
            old = dict(old)
            old["content"] = old.pop("text")
        return old


class DemoLookup(DataSource):
    def __init__(self, provider: DemoProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "lookup"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            attributes=[
                Attribute("name", String(), required=True),
                Attribute("content", String(), computed=True),
                Attribute("count", Number(), computed=True),
            ]
        )

    def read(self, ctx, config: Config):
        matches = [
            json.loads(p.read_text())
            for p in sorted(self.provider.store.glob("*.json"))
            if json.loads(p.read_text()).get("name") == config["name"]
        ]
        content = matches[0].get("content") if matches else None
        return {"name": config["name"], "content": content, "count": len(matches)}


class Shout(Function):
    def __init__(self, provider: DemoProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "shout"

    @classmethod
    def get_signature(cls) -> FunctionSignature:
        return FunctionSignature(
            parameters=[Parameter("text", String())],
            variadic_parameter=Parameter("marks", String()),
            return_type=Return(String()),
            summary="Upper-cases its text and appends the marks",
        )

    def call(self, ctx: CallContext, arguments):
        text, *marks = arguments
        if text == "":
            ctx.diagnostics.add_error("empty text", "shout needs something to shout")
            return None
        return text.upper() + "".join(marks)


def answer_garbage_for_garbage_content():
    """Makes ApplyResourceChange answer undecodable bytes for content "garbage"."""
    import tf.provider
    from tf.gen import tfplugin_pb2 as pb
    from tf.utils import read_dynamic_value

    class GarbageServicer(tf.provider.ProviderServicer):
        def ApplyResourceChange(self, request, context):
            planned = read_dynamic_value(request.planned_state)
            if planned is not None and planned.get("content") == "garbage":
                print("demo: answering garbage on purpose", file=sys.stderr, flush=True)
                time.sleep(0.2)  # the line reaches plinth's stderr reader before the answer
                return pb.ApplyResourceChange.Response(
                    new_state=pb.DynamicValue(msgpack=b"\xc1 not msgpack")
                )
            return super().ApplyResourceChange(request, context)

    tf.provider.ProviderServicer = GarbageServicer


if __name__ == "__main__":
    answer_garbage_for_garbage_content()
    runner.run_provider(DemoProvider())
