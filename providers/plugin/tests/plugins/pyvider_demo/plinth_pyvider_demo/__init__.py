"""plinth's pyvider test provider: pyvider's own `pyvider` provider block plus a `pyvider_note`
resource kept in memory (each provider process starts empty) and a `pyvider_echo` function."""

import uuid

import attrs

from pyvider.providers.provider import PyviderProvider  # noqa: F401  (registers the provider)
from pyvider.resources import BaseResource, register_resource
from pyvider.schema import a_num, a_str, s_resource

NOTES: dict[str, dict] = {}


@attrs.define
class NoteConfig:
    name: str | None = None
    text: str | None = None


@attrs.define
class NoteState:
    id: str | None = None
    name: str | None = None
    text: str | None = None
    length: float | None = None


@register_resource("pyvider_note")
class Note(BaseResource):
    config_class = NoteConfig
    state_class = NoteState

    @classmethod
    def get_schema(cls):
        return s_resource(
            {
                "id": a_str(computed=True),
                "name": a_str(required=True),
                "text": a_str(optional=True),
                "length": a_num(computed=True),
            }
        )

    async def _validate_config(self, config):
        return []

    async def _create(self, ctx, base_plan):
        base_plan["length"] = float(len(ctx.config.text or ""))
        return base_plan, None

    async def _update(self, ctx, base_plan):
        base_plan["length"] = float(len(ctx.config.text or ""))
        return base_plan, None

    async def read(self, ctx):
        if ctx.state is None or ctx.state.id not in NOTES:
            return None
        return NoteState(**NOTES[ctx.state.id])

    async def _create_apply(self, ctx):
        note = {
            "id": uuid.uuid4().hex[:12],
            "name": ctx.config.name,
            "text": ctx.config.text,
            "length": float(len(ctx.config.text or "")),
        }
        NOTES[note["id"]] = note
        return NoteState(**note), None

    async def _update_apply(self, ctx):
        note = {
            "id": ctx.state.id,
            "name": ctx.config.name,
            "text": ctx.config.text,
            "length": float(len(ctx.config.text or "")),
        }
        NOTES[note["id"]] = note
        return NoteState(**note), None

    async def _delete_apply(self, ctx):
        NOTES.pop(ctx.state.id, None)
