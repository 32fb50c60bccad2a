"""Kamailio's JSON-RPC over its datagram socket (``jsonrpcs`` with ``dgram_socket``): how stayhere ends a call.

``tm.t_uac_start`` has Kamailio send a request in an existing dialog; stayhere gives it the dialog's headers,
which it holds in memory for the call only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import tempfile
from pathlib import Path
from typing import Any


class RpcError(Exception):
    """Kamailio refused the command or did not answer."""


def _call(path: Path, method: str, params: list[Any], timeout: float) -> Any:
    folder = tempfile.mkdtemp(prefix="stayhere-rpc-")
    mine = os.path.join(folder, "reply.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(mine)
            sock.settimeout(timeout)
            request = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
            sock.sendto(json.dumps(request).encode(), str(path))
            raw = sock.recv(65536)
        except OSError as failure:
            raise RpcError(f"Kamailio did not answer {method} ({type(failure).__name__}).") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(mine)
            with contextlib.suppress(OSError):
                os.rmdir(folder)
    reply = json.loads(raw)
    if "error" in reply:
        raise RpcError(f"Kamailio refused {method}: {reply['error'].get('message', 'no reason')}.")
    return reply.get("result")


async def rpc(path: Path, method: str, params: list[Any], timeout: float = 3.0) -> Any:
    """One JSON-RPC command, answered (in a thread: the socket calls are short and blocking)."""
    return await asyncio.to_thread(_call, path, method, params, timeout)


async def send_bye(
    path: Path, *, call_id: str, local: str, local_tag: str, remote: str, remote_tag: str, target: str, hop: str
) -> None:
    """A BYE from stayhere's side of the dialog (``local``: the To the caller used; ``remote``: their From)."""
    headers = (
        f"From: <{local}>;tag={local_tag}\r\n"
        f"To: <{remote}>;tag={remote_tag}\r\n"
        f"Call-ID: {call_id}\r\n"
        "CSeq: 2 BYE\r\n"
        "Max-Forwards: 70\r\n"
    )
    await rpc(path, "tm.t_uac_start", ["BYE", target, hop, ".", headers, ""])
