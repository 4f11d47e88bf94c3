"""Record templates: Nygard and MADR decisions, runbooks, postmortems, handoff plans."""

from __future__ import annotations

from bridge.errors import BridgeError

_NYGARD = """# {title}

## Context

What is the issue that we are seeing that motivates this decision or change?

## Decision

What is the change that we are proposing and/or doing?

## Status

Proposed

## Consequences

What becomes easier or more difficult to do because of this change?
"""

_MADR = """# {title}

## Context and Problem Statement

Describe the context and problem statement in two or three sentences, or as a question.

## Decision Drivers

* a force or concern that shapes the decision

## Considered Options

* option 1
* option 2

## Decision Outcome

Chosen option: "option 1", because it is the only option that meets the most important driver.

### Consequences

* Good, because …
* Bad, because …

## Pros and Cons of the Options

### option 1

* Good, because …
* Bad, because …

### option 2

* Good, because …
* Bad, because …
"""

_RUNBOOK = """# {title}

## Meaning

What the alert or symptom means, and what fired it.

## Impact

Who or what is affected, and how badly.

## Diagnosis

Steps and commands to confirm the cause.

## Mitigation

Steps and commands that stop the impact, safest first.

## Escalation

Who to call when the mitigation does not work, and what to tell them.
"""

_POSTMORTEM = """# {title}

## Summary

What happened, in two or three sentences.

## Impact

Who was affected, for how long, and how badly.

## Timeline

* HH:MM — first sign of trouble

## Root Cause

Why it happened.

## Resolution

What stopped the impact.

## Action Items

* [ ] change that prevents a repeat — owner
"""

_HANDOFF = """# {title}

## Why

Who is leaving, by when, and what only they know.

## Checklist

* [ ] RB-0000 — record to hand over — successor: name — action: review
"""

TEMPLATES: dict[str, dict[str, str]] = {
    "decision": {"nygard": _NYGARD, "madr": _MADR},
    "runbook": {"runbook": _RUNBOOK},
    "postmortem": {"postmortem": _POSTMORTEM},
    "handoff": {"handoff": _HANDOFF},
}
"""Kind → template name → Markdown body with a ``{title}`` placeholder; the first name is the kind's default."""


class UnknownTemplate(BridgeError):
    """The named template does not exist for the kind; the message lists the valid names."""


def template_names(kind: str) -> list[str]:
    """Return the template names for kind, the default first (empty for an unknown kind)."""
    return list(TEMPLATES.get(kind, {}))


def template_body(kind: str, name: str | None, title: str) -> str:
    """Return the body of template name (the kind's default when None) with title filled in."""
    templates = TEMPLATES.get(kind)
    if not templates:
        raise UnknownTemplate(f"no templates for kind '{kind}': use one of {', '.join(TEMPLATES)}")
    chosen = name or next(iter(templates))
    if chosen not in templates:
        raise UnknownTemplate(
            f"unknown {kind} template '{chosen}': use one of {', '.join(templates)}"
        )
    return templates[chosen].replace("{title}", title.strip() or "Untitled")
