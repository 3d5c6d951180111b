# Copyright 2026 the @paralelo/pool authors. MIT license.
"""Runs a notebook top to bottom with nbclient, Jupyter's own client.

    /usr/bin/python3 tools/run_notebook.py NOTEBOOK [--write OUT]
        [--kernel deno] [--cell-timeout 60] [--total-timeout 140]

The kernel starts in the notebook's folder, as Jupyter starts it. Prints one
JSON object on stdout: whether the run succeeded, the error of the cell that
failed, and per cell its outputs, its wall time and the iopub messages it
got (their type and display_id), which the saved notebook cannot show: an
`update_display_data` replaces an output in place. `--write` saves the
executed notebook, outputs included. A cell over `--cell-timeout` seconds, or
a run over `--total-timeout`, fails the run and the kernel is shut down.
Exit code: 0 if every cell ran, 1 if one failed, 2 if nbclient is missing.

`tools/notebook.ts` runs this with a Deno kernel it installs in a folder of
its own; `tests/notebook_test.ts` and `deno task notebook` go through it.
"""

import argparse
import json
import os
import queue
import signal
import sys
import time

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete, CellExecutionError
    from nbclient.util import ensure_async
except ImportError as error:  # pragma: no cover - depends on the machine
    print(
        json.dumps(
            {
                "ok": False,
                "missing": str(error),
                "hint": "apt-get install python3-nbclient",
            }
        )
    )
    sys.exit(2)


class RecordingClient(NotebookClient):
    """A NotebookClient that also keeps the iopub messages of each cell.

    It also keeps what Deno's kernel (2.9) sometimes publishes just after a
    cell's `status: idle`, most often the cell's `execute_result`, about a
    millisecond late: nbclient stops reading a cell's messages at its idle
    and drops the rest, so a cell's value would go missing at random. Such a
    message goes to its own cell, marked `late`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages = {}
        self.seconds = {}
        self._started = {}
        self._finished = None  # (msg_id, cell_index) of the cell that went idle last

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            parent = msg["parent_header"].get("msg_id")
            if parent == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    self._finished = (parent_msg_id, cell_index)
                    return
            elif self._finished is not None and parent == self._finished[0]:
                self._late(msg)

    def _late(self, msg):
        index = self._finished[1]
        try:
            self.process_message(msg, self.nb.cells[index], index, late=True)
        except CellExecutionComplete:
            pass

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        result = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        if cell_index == self._last_code_cell:
            # No next cell will come to collect what comes late: wait for it.
            while True:
                try:
                    msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=0.5))
                except queue.Empty:
                    break
                if self._finished and msg["parent_header"].get("msg_id") == self._finished[0]:
                    self._late(msg)
        return result

    @property
    def _last_code_cell(self):
        indices = [i for i, c in enumerate(self.nb.cells) if c.cell_type == "code"]
        return indices[-1] if indices else None

    def process_message(self, msg, cell, cell_index, late=False):
        content = msg.get("content", {})
        entry = {"msg_type": msg["msg_type"]}
        if late:
            entry["late"] = True
        display_id = content.get("transient", {}).get("display_id")
        if display_id:
            entry["display_id"] = display_id
        if msg["msg_type"] == "stream":
            entry["name"] = content.get("name")
        if msg["msg_type"] in ("display_data", "update_display_data"):
            entry["mimetypes"] = sorted(content.get("data", {}).keys())
        if msg["msg_type"] != "status":
            self.messages.setdefault(cell_index, []).append(entry)
        return super().process_message(msg, cell, cell_index)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--write", metavar="OUT")
    parser.add_argument("--kernel", default=None)
    parser.add_argument("--cell-timeout", type=int, default=60)
    parser.add_argument("--total-timeout", type=int, default=140)
    args = parser.parse_args()

    path = os.path.abspath(args.notebook)
    nb = nbformat.read(path, as_version=4)
    options = {
        "timeout": args.cell_timeout,
        "resources": {"metadata": {"path": os.path.dirname(path)}},
        "record_timing": False,
    }
    if args.kernel:
        options["kernel_name"] = args.kernel
    client = RecordingClient(nb, **options)

    def started(cell, cell_index):
        client._started[cell_index] = time.monotonic()

    def executed(cell, cell_index, execute_reply):
        client.seconds[cell_index] = time.monotonic() - client._started[cell_index]

    client.on_cell_execute = started
    client.on_cell_executed = executed

    def out_of_time(signum, frame):
        raise TimeoutError(f"The notebook ran past {args.total_timeout} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(args.total_timeout)
    began = time.monotonic()
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = {"ename": failure.ename, "evalue": failure.evalue, "message": str(failure)}
    except Exception as failure:  # a kernel that died, a timeout
        error = {"ename": type(failure).__name__, "evalue": str(failure), "message": str(failure)}
    finally:
        signal.alarm(0)
        # execute() shuts its kernel down, but not always when interrupted.
        if client.km is not None and client.km.has_kernel:
            client.km.shutdown_kernel(now=True)
    seconds = time.monotonic() - began

    if args.write:
        nbformat.write(nb, args.write)

    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        cells.append(
            {
                "index": index,
                "source": cell.source,
                "tags": list(cell.metadata.get("tags", [])),
                "outputs": cell.get("outputs", []),
                "messages": client.messages.get(index, []),
                "seconds": client.seconds.get(index),
            }
        )
    print(json.dumps({"ok": error is None, "error": error, "seconds": seconds, "cells": cells}))
    sys.exit(0 if error is None else 1)


if __name__ == "__main__":
    main()
