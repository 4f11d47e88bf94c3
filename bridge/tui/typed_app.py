"""The app as BridgeApp for screens and palette providers, which Textual gives only its base ``App``."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from bridge.tui.app import BridgeApp


class BridgeAppAccess:
    """Mixin giving a Textual screen or command provider ``bridge_app``: its ``app`` with bridge's typed state."""

    @property
    def bridge_app(self) -> BridgeApp:
        """Return the app with its typed state."""
        return cast("BridgeApp", self.app)  # type: ignore[attr-defined]
