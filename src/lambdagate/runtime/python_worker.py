"""Runs inside a Python execution environment: AWS's runtime interface client (awslambdaric) with its own
bootstrap, handler loading, error building, context and logging, fed through a socket instead of HTTP.

This file is executed as a script by an isolated interpreter (`python -I -S`), so that the function sees what
Lambda gives it: its code, its layers, the runtime's packages, and nothing of lambdagate's virtualenv. It must not
import lambdagate.

Wire format on the control socket, both ways: 4-byte big-endian length, then one type byte, then data.
    parent -> worker  b"I" header-JSON b"\\n" event-bytes
    worker -> parent  b"Y" (initialised, waiting for work)   b"R" content-type b"\\n" result
                      b"E" error-JSON                          b"N" init-error-JSON
When the invocation wrote to stdout/stderr, the worker writes LOG_SENTINEL to its stdout before the R/E/N frame,
so that the parent knows when every line the invocation printed has been read; when it wrote nothing, the frame's
type is lower-case (b"r", b"e", b"n") and no sentinel follows: one write less per quiet invocation.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys

LOG_SENTINEL = b"\x00lambdagate:end-of-invocation\n"


def _lambda_sys_path(task_root: str, layer_roots: list[str], runtime_dir: str, packages: list[str]) -> list[str]:
    """The search path of Lambda's Python runtimes (LDG "Working with .zip file archives", python-package.md):
    /var/task, /opt/python/lib/python3.x/site-packages, /opt/python, /var/runtime, then the standard library.
    The dependencies `lambdagate build` installed are part of /var/task on Lambda: they follow the code."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    path = [task_root, *packages]
    for root in layer_roots:
        path.append(os.path.join(root, "python", "lib", version, "site-packages"))
    for root in layer_roots:
        path.append(os.path.join(root, "python"))
    path.append(runtime_dir)
    stdlib = [p for p in sys.path if p and not p.endswith("site-packages") and p != os.path.dirname(__file__)]
    return path + stdlib


class _Channel:
    def __init__(self, fd: int) -> None:
        self.sock = socket.socket(fileno=fd)
        self.sock.setblocking(True)

    def send(self, kind: bytes, data: bytes = b"") -> None:
        self.sock.sendall(struct.pack(">I", len(data) + 1) + kind + data)

    def receive(self) -> tuple[bytes, bytes]:
        head = self._exactly(4)
        (length,) = struct.unpack(">I", head)
        frame = self._exactly(length)
        return frame[:1], frame[1:]

    def _exactly(self, n: int) -> bytes:
        chunks = []
        while n:
            chunk = self.sock.recv(min(n, 1 << 20))
            if not chunk:  # the gateway went away: an environment never outlives it
                os._exit(0)
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)


def _read_as_lambdas_user(roots: dict[str, str]) -> None:
    """Lambda runs a function as a user other than its files' owner, so a module file that others cannot read (or
    a folder they cannot search) fails to import with `[Errno 13] Permission denied: '/var/task/...'`
    (LDG troubleshooting-deployment.md; fact sheet §10.9). Reproduce that even when lambdagate runs as the owner
    or as root, by checking the "others" permission bits of what the import system reads under the code folder
    and the layers."""
    import errno
    import importlib.machinery
    import stat

    def check(path: str) -> None:
        for root, shown in roots.items():
            if path == root or not path.startswith(root + os.sep):
                continue
            relative = path[len(root) + 1:]
            folder = root
            for part in relative.split(os.sep)[:-1]:
                folder = os.path.join(folder, part)
                if not os.stat(folder).st_mode & stat.S_IXOTH:
                    raise PermissionError(errno.EACCES, "Permission denied", shown + "/" + relative)
            if not os.stat(path).st_mode & stat.S_IROTH:
                raise PermissionError(errno.EACCES, "Permission denied", shown + "/" + relative)
            return

    for loader in (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader):
        original = loader.get_data

        def get_data(self: object, path: str, _original: object = original) -> bytes:
            check(os.path.abspath(path))
            return _original(self, path)  # type: ignore[operator, no-any-return]

        loader.get_data = get_data  # type: ignore[method-assign]


def _read_only(roots: dict[str, str]) -> None:
    """The code folder is read-only, as /var/task is on Lambda: a write there fails with `[Errno 30] Read-only file
    system` (EROFS), an absolute path shown as the function would see it on Lambda (/var/task/..., /opt/...). Python
    writes through `open`, `os.open` and the `os` calls below all raise audit events (PEP 578), which is where the
    write is refused; /tmp and everything else stay writable. (The import system's .pyc writes are refused too,
    silently, as on Lambda.) Native code and child processes are not held back."""
    import errno

    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    prefixes = tuple(root + os.sep for root in roots)
    # each audit event's (path argument, its dir_fd argument) pairs (Python's audit events table)
    paths_of = {"os.mkdir": ((0, 2),), "os.rmdir": ((0, 1),), "os.remove": ((0, 1),), "os.rename": ((0, 2), (1, 3)),
                "os.link": ((1, 3),), "os.symlink": ((1, 2),), "os.truncate": ((0, None),), "os.chmod": ((0, 2),),
                "os.chown": ((0, 3),), "os.utime": ((0, 3),), "os.mkfifo": ((0, 2),), "os.mknod": ((0, 3),)}

    def refuse(target: object, dir_fd: object = None) -> None:
        if isinstance(target, int):
            return
        try:
            given = os.fsdecode(os.fspath(target))  # type: ignore[call-overload]
        except TypeError:
            return
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(given):
            try:
                path = os.path.normpath(os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), given))
            except OSError:
                return
        else:
            path = os.path.abspath(given)
        if path not in roots and not path.startswith(prefixes):
            return
        shown = given
        if os.path.isabs(given):
            root = next(r for r in roots if path == r or path.startswith(r + os.sep))
            shown = roots[root] + path[len(root):]
        raise OSError(errno.EROFS, "Read-only file system", shown)

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "open":
            mode, flags = args[1], args[2]
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                    isinstance(flags, int) and flags & write_flags):
                refuse(args[0])
            return
        for path_index, fd_index in paths_of.get(event, ()):
            refuse(args[path_index], args[fd_index] if fd_index is not None and fd_index < len(args) else None)

    sys.addaudithook(hook)


def _keep_output() -> int:
    """sys.stdout and sys.stderr (which awslambdaric's log sink writes to) on a copy of the output pipe: a function
    that closes descriptor 1 or 2 does not take the runtime's own writes with it (on Lambda they go to a telemetry
    descriptor of their own). Returns the copy, which the end-of-invocation sentinel is written to."""
    import io

    log_fd = os.dup(1)
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        setattr(sys, name, io.TextIOWrapper(io.FileIO(log_fd, "w", closefd=False), encoding=stream.encoding,
                                            errors=stream.errors, write_through=True))
    return log_fd


def _guard() -> None:
    """guard.py's protect(): this environment dies with the gateway, and keeps what it starts in its tree."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_lambdagate_guard", os.path.join(os.path.dirname(__file__),
                                                                                      "guard.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.protect()


def main() -> None:
    _guard()
    # Lambda's /var/task is read-only, so no __pycache__ appears next to the code: bytecode goes to lambdagate's cache
    sys.pycache_prefix = os.environ.pop("LAMBDAGATE_PYCACHE", None) or sys.pycache_prefix
    handler = os.environ["_HANDLER"]
    layer_roots = [p for p in os.environ.get("LAMBDAGATE_LAYERS", "").split(os.pathsep) if p]
    packages = [p for p in os.environ.pop("LAMBDAGATE_PACKAGES", "").split(os.pathsep) if p]
    runtime_dir = os.environ["LAMBDA_RUNTIME_DIR"]
    del os.environ["LAMBDAGATE_LAYERS"]
    sys.path[:] = _lambda_sys_path(os.environ["LAMBDA_TASK_ROOT"], layer_roots, runtime_dir, packages)
    roots = {os.path.realpath(os.environ["LAMBDA_TASK_ROOT"]): "/var/task"}
    roots.update({os.path.realpath(folder): "/var/task" for folder in packages})
    roots.update({os.path.realpath(layer): "/opt" for layer in layer_roots})
    _read_as_lambdas_user(roots)
    _read_only({**roots, **{os.path.abspath(os.environ["LAMBDA_TASK_ROOT"]): "/var/task"},
                **{os.path.abspath(layer): "/opt" for layer in layer_roots}})

    log_fd = _keep_output()
    from awslambdaric import bootstrap  # type: ignore[import-untyped]
    from awslambdaric.lambda_runtime_client import (  # type: ignore[import-untyped]
        BaseLambdaRuntimeClient,
        InvocationRequest,
    )

    if sys.argv[1] == "--http":
        # The Lambda Runtime API over HTTP with awslambdaric's native client, exactly as on Lambda.
        from awslambdaric.lambda_runtime_client import LambdaRuntimeClient

        bootstrap.run(handler, LambdaRuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"]))
        return

    channel = _Channel(int(sys.argv[1]))
    printed = [True]  # init may print: the first frame always follows a sentinel

    class _Watched:
        """sys.stdout/sys.stderr as awslambdaric set them up, noting that the invocation wrote something."""

        def __init__(self, stream: object) -> None:
            self._stream = stream

        def write(self, text: str) -> int:
            printed[0] = True
            return self._stream.write(text)  # type: ignore[attr-defined, no-any-return]

        def writelines(self, lines: list[str]) -> None:
            printed[0] = True
            self._stream.writelines(lines)  # type: ignore[attr-defined]

        def __getattr__(self, name: str) -> object:
            return getattr(self._stream, name)

    def end_of_output(kind: bytes) -> bytes:
        """The frame type, after the sentinel when there was output (see the module's docstring)."""
        if printed[0]:
            os.write(log_fd, LOG_SENTINEL)
            printed[0] = False
            return kind
        return kind.lower()

    class SocketRuntimeClient(BaseLambdaRuntimeClient):  # type: ignore[misc]
        """The Runtime API's four calls (next, response, error, init/error) over the control socket."""

        def __init__(self) -> None:
            self.ready_sent = False

        def wait_next_invocation(self) -> object:
            if not self.ready_sent:
                sys.stdout = _Watched(sys.stdout)
                sys.stderr = _Watched(sys.stderr)
                channel.send(b"Y")
                self.ready_sent = True
            kind, data = channel.receive()
            header_bytes, _, event = data.partition(b"\n")
            header = json.loads(header_bytes)
            return InvocationRequest(
                invoke_id=header["id"],
                x_amzn_trace_id=header.get("trace"),
                invoked_function_arn=header["arn"],
                deadline_time_in_ms=header["deadline"],
                client_context=None,
                cognito_identity=None,
                tenant_id=None,
                content_type="application/json",
                event_body=event,
                invocation_id=None,
            )

        def post_invocation_result(self, invoke_id: str, result_data: bytes | str,
                                   content_type: str = "application/json", invocation_id: object = None) -> None:
            data = result_data if isinstance(result_data, bytes) else result_data.encode("utf-8")
            channel.send(end_of_output(b"R"), content_type.encode() + b"\n" + data)

        def post_invocation_error(self, invoke_id: str, error_response_data: str, xray_fault: str,
                                  invocation_id: object = None) -> None:
            channel.send(end_of_output(b"E"), error_response_data.encode("utf-8"))

        def post_init_error(self, error_response_data: dict[str, object],
                            error_type_override: str | None = None) -> None:
            channel.send(end_of_output(b"N"), bootstrap.to_json(error_response_data).encode("utf-8"))

    bootstrap.run(handler, SocketRuntimeClient())


if __name__ == "__main__":
    main()
