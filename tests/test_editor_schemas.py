"""Editors: the JSON Schemas in ``schemas/`` as the real YAML language server uses them.

The test speaks the Language Server Protocol over stdio to ``yaml-language-server``
(which ``scripts/test`` installs in ``tests/language-server/`` at the version of its
``package-lock.json``), opens a document that names its schema with the
``# yaml-language-server: $schema=`` comment, exactly as the example workspace's
files do, and waits for the diagnostics it publishes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from campaignkit.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "campaigns"
MODELINE = "# yaml-language-server: $schema="
INSTALLED = REPO / "tests" / "language-server"
SERVER = INSTALLED / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
LIST = MODELINE + "../schemas/list.json\nkind: list\nname: 2026-web-x-list\ntype: static\n"


def language_server() -> Path:
    """The server's entry point; installing it is scripts/test's work, so that the suite runs offline."""
    if not (SERVER.exists() and shutil.which("node")):
        pytest.fail(f"yaml-language-server is not installed in {INSTALLED}: run bash scripts/test, which installs "
                    "Node.js and the server (npm ci)", pytrace=False)
    return SERVER


class Client:
    """Just enough of an LSP client: framed JSON-RPC over the server's stdin and stdout."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(["node", str(language_server()), "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": {
            "workspace": {"configuration": True}, "textDocument": {"publishDiagnostics": {}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": {"validate": True}}})

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == self.next_id and "method" not in m)["result"]

    def receive(self) -> dict[str, Any]:
        length = 0
        while line := self.process.stdout.readline().strip():
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        assert length, "the language server closed its output"
        message = json.loads(self.process.stdout.read(length))
        if "method" in message and "id" in message:
            # The server asks for settings (workspace/configuration) and registers capabilities.
            items = message.get("params", {}).get("items", [])
            self.send({"id": message["id"], "result": [{"validate": True} for _ in items] or None})
        return message

    def wait_for(self, wanted, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive()
            if wanted(message):
                return message
        raise AssertionError("the language server did not answer in time")

    def diagnostics(self, path: Path, text: str) -> list[dict[str, Any]]:
        """What the server reports for ``text`` opened as ``path`` (which need not exist)."""
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                               "text": text}})
        message = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == uri)
        return message["params"]["diagnostics"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def client():
    started = Client(EXAMPLES)
    yield started
    started.close()


def test_a_misspelt_key_is_reported_on_its_line(client):
    found = client.diagnostics(EXAMPLES / "misspelt.yaml", LIST + "titel: Trade show visitors\n")
    assert [(d["range"]["start"]["line"], d["message"]) for d in found] == \
        [(4, "Property titel is not allowed.")]


def test_a_wrong_value_is_reported_with_the_allowed_ones(client):
    found = client.diagnostics(EXAMPLES / "wrong-type.yaml", LIST.replace("type: static", "type: statik"))
    assert len(found) == 1
    assert found[0]["range"]["start"]["line"] == 3
    assert "static" in found[0]["message"] and "dynamic" in found[0]["message"]


def test_a_correct_file_of_the_example_workspace_gets_no_diagnostics(client):
    path = EXAMPLES / "programs" / "welcome.yaml"
    assert client.diagnostics(path, path.read_text()) == []


def test_every_example_and_init_file_names_its_schema(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    files = [*EXAMPLES.rglob("*.yaml"), *tmp_path.rglob("*.yaml")]
    assert files
    for path in files:
        assert path.read_text().startswith(MODELINE), f"{path} does not start with {MODELINE}"
