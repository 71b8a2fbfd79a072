"""Serving the lever explorer: Solara's server (uvicorn) on the loopback interface, every asset from this machine.

Solara's page loads its scripts, styles and fonts from a CDN unless its assets proxy serves them; the proxy answers
from the files of the ``solara-assets`` package, and would fetch a file it lacks from the CDN. Here the proxy is on,
the CDN it would fetch from is set to an address on this machine that answers nothing, and Solara's telemetry is
off, so neither the browser nor the server asks anything of the internet: the page works in a closed network.
Before serving, :func:`missing_assets` checks that the asset files hold what this Solara's page asks for.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import socket
from pathlib import Path

APP = "sim.dashboard.app"
# Where the proxy would fetch an asset it lacks: port 9 (discard) on the loopback, which refuses.
NO_CDN = "http://127.0.0.1:9/"
SOLARA_ENVIRONMENT = {
    "SOLARA_APP": APP,
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_ASSETS_CDN": NO_CDN,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_MODE": "production",
    "SOLARA_THEME_SHOW_BANNER": "false",
}


def prepare_environment() -> None:
    """Solara reads its settings from the environment when first imported: set them before that."""
    os.environ.update(SOLARA_ENVIRONMENT)


def missing_assets() -> list[str]:
    """The versioned asset folders (``package@version``) the page needs that the assets proxy cannot serve from this machine."""
    import solara.server.server as solara_server
    import solara.server.settings as settings

    template = (Path(solara_server.__file__).parent / "templates" / "solara.html.j2").read_text(encoding="utf-8")
    app = "solara-vuetify3-app" if getattr(solara_server, "vue3", False) else "solara-vuetify-app"
    needed = set(re.findall(r"\{\{cdn\}\}/(@widgetti/" + app + r"@[0-9.]+)/", template))
    needed |= set(re.findall(r"\{\{cdn\}\}/(requirejs@[0-9.]+)/", template))
    if settings.assets.fontawesome_enabled:
        needed.add(settings.assets.fontawesome_path.strip("/").split("/")[0])
    folder = Path(settings.assets.proxy_cache_dir)
    return sorted(n for n in needed if not (folder / n).is_dir())


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def bind_problem(host: str, port: int) -> tuple[str, str] | None:
    """Why the page could not be served at ``host:port`` (the option to blame and the reason), or None."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        return "--host", f"{host!r} is not an address or a name of this machine"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "--port", f"{host}:{port} is in use; choose another port with --port"
            if exc.errno == errno.EACCES:
                return "--port", f"port {port} needs privileges to serve on; choose a port above 1023"
            return "--host", f"cannot serve on {host}: {exc.strerror}"
    return None


def serve(*, host: str, port: int) -> None:
    """Serve the configured explorer (:func:`sim.dashboard.context.configure`) until interrupted."""
    import warnings

    import uvicorn

    # served over plain http on this machine, where the lax cookie Solara falls back to is the right one
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port, log_level="warning", access_log=False)
    uvicorn.Server(config).run()
