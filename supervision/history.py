"""变更记录 of the 督查室's requests (see targets.history: PostgreSQL triggers, append-only tables)."""

from targets.history import track

from .models import ExtensionRequest

track(ExtensionRequest, model_name="ExtensionRequestEvent")
