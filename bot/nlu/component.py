"""Rasa's ``GraphComponent.create``, written once for the project's graph components.

Rasa hands ``create`` the component's config, the model storage, the component's resource and the
execution context; none of our components uses the execution context, so ``create`` makes the
component with ``made(config, model_storage, resource)``, which a component that needs its config
defines (the default makes it with no arguments).
"""

from typing import Any, Dict, Text, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

C = TypeVar("C", bound="MadeFromConfig")


class MadeFromConfig(GraphComponent):
    """A graph component made from its config, storage and resource alone (see module)."""

    @classmethod
    def create(
        cls: Type[C],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> C:
        return cls.made(config, model_storage, resource)

    @classmethod
    def made(cls: Type[C], config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> C:
        """The new component (at training time, before ``train``); by default one that needs nothing."""
        return cls()
