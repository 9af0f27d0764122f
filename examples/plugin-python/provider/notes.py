"""terraform-provider-notes: a third-party Terraform provider written in Python with PyPI's `tf`
framework. `notes_note` resources are text files in the directory the provider block names;
`notes_directory` reads what is there; `provider::notes::slug(text)` makes a file-name-safe slug.
"""

import re
from pathlib import Path

from tf import runner
from tf.function import CallContext, Function, FunctionSignature, Parameter, Return
from tf.iface import Config, DataSource, Provider, Resource, State
from tf.schema import Attribute, Schema
from tf.types import List, Number, String
from tf.utils import Diagnostics


class NotesProvider(Provider):
    def __init__(self):
        self.directory = None

    def get_model_prefix(self) -> str:
        return "notes_"

    def full_name(self) -> str:
        return "example.com/examples/notes"

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema(attributes=[Attribute("directory", String(), required=True)])

    def validate_config(self, diags: Diagnostics, config: Config):
        pass

    def configure_provider(self, diags: Diagnostics, config: Config):
        self.directory = Path(config["directory"])
        self.directory.mkdir(parents=True, exist_ok=True)

    def get_data_sources(self):
        return [Directory]

    def get_resources(self):
        return [Note]

    def get_functions(self):
        return [Slug]


class Note(Resource):
    def __init__(self, provider: NotesProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "note"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            attributes=[
                Attribute("id", String(), computed=True),
                Attribute("title", String(), required=True, requires_replace=True),
                Attribute("body", String(), required=True),
                Attribute("words", Number(), computed=True),
            ]
        )

    def _write(self, state: State) -> State:
        path = self.provider.directory / f"{state['title']}.txt"
        path.write_text(state["body"])
        return {**state, "id": path.name, "words": len(state["body"].split())}

    def create(self, ctx, planned: State):
        return self._write(planned)

    def read(self, ctx, current: State):
        path = self.provider.directory / current["id"]
        if not path.exists():
            return None
        body = path.read_text()
        return {**current, "body": body, "words": len(body.split())}

    def update(self, ctx, current: State, planned: State):
        return self._write(planned)

    def delete(self, ctx, current: State):
        (self.provider.directory / current["id"]).unlink(missing_ok=True)

    def import_(self, ctx, id: str):
        path = self.provider.directory / id
        if not path.exists():
            ctx.diagnostics.add_error(f"no note {id}", "no such file in the notes directory")
            return None
        body = path.read_text()
        return {"id": id, "title": path.stem, "body": body, "words": len(body.split())}


class Directory(DataSource):
    def __init__(self, provider: NotesProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "directory"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(
            attributes=[
                Attribute("suffix", String(), required=True),
                Attribute("names", List(String()), computed=True),
            ]
        )

    def read(self, ctx, config: Config):
        names = sorted(p.name for p in self.provider.directory.glob(f"*{config['suffix']}"))
        return {"suffix": config["suffix"], "names": names}


class Slug(Function):
    def __init__(self, provider: NotesProvider):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "slug"

    @classmethod
    def get_signature(cls) -> FunctionSignature:
        return FunctionSignature(
            parameters=[Parameter("text", String())],
            return_type=Return(String()),
            summary="Lower-case words joined by dashes",
        )

    def call(self, ctx: CallContext, arguments):
        (text,) = arguments
        return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


if __name__ == "__main__":
    runner.run_provider(NotesProvider())
