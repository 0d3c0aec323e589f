"""Agents: the Agent protocol, a registry and factory with validated parameters, and the rule agents.

An agent maps bars (and features) to a target position per bar in [-1, 1], decided with data up to
that bar; the backtester fills the position decided at bar t at bar t+1's open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinetra.agents.base import Agent, Param, RuleAgent
from kinetra.agents.rules import RULE_AGENTS
from kinetra.errors import UnknownAgentError

__all__ = ["Agent", "AgentInfo", "Param", "RuleAgent", "create", "list_agents", "register"]

_REGISTRY: dict[str, type[RuleAgent]] = {cls.name: cls for cls in RULE_AGENTS}


@dataclass(frozen=True)
class AgentInfo:
    """What `list_agents` tells about one agent: name, description and params with defaults."""

    name: str
    description: str
    params: dict[str, Any]
    param_docs: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        """Return the info as plain data."""
        return {"name": self.name, "description": self.description, "params": dict(self.params),
                "param_docs": dict(self.param_docs)}


def register(cls: type[RuleAgent]) -> type[RuleAgent]:
    """Add an agent class to the registry under its `name` (usable as a decorator)."""
    _REGISTRY[cls.name] = cls
    return cls


def create(name: str, **params: Any) -> Agent:
    """Build an agent by name with validated params; UnknownAgentError or AgentParamError name the problem."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise UnknownAgentError(f"unknown agent {name!r} (known: {', '.join(sorted(_REGISTRY))})") from None
    return cls(**params)


def list_agents() -> list[AgentInfo]:
    """Return every registered agent with its description and params (defaults), sorted by name."""
    return [AgentInfo(cls.name, cls.description(), {p.name: p.default for p in cls.PARAMS},
                      {p.name: p.doc for p in cls.PARAMS})
            for _, cls in sorted(_REGISTRY.items())]
