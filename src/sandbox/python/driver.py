"""Runs inside the Gatehouse sandbox: builds a wheel from an sdist (PEP 517), or installs a wheel and imports its
modules. Everything it learns goes back to the host on file descriptor 3: one JSON line, then the wheel's bytes.

    driver.py build SDIST OUTDIR [--lenient] [--without REQUIREMENT...]   (then, as PACKAGE_PYTHON: driver.py hooks STATE)
    driver.py import WHEEL PYTHON MODULE...

An import run installs the wheel here and imports each module in a process of PYTHON: the host traces from that
program's start, so the installing is not counted as the package's behaviour.

The package's own code (setup.py, the backend's hooks, the imported modules) runs in this process or its
children; strace outside the sandbox watches all of it. Nothing here is trusted after that code has run, and the
host treats what comes back accordingly (size limits, strict parsing).
"""
import importlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import traceback
import zipfile

# The sandbox's work tree; the start-up benchmark runs this driver outside the sandbox, on paths of its own.
WORK = os.environ.get("GATEHOUSE_DRIVER_WORK", "/sandbox/work")
RESULT_FD = 3


def send(result, payload=b""):
    """Writes the result: a JSON line with the payload's size, then the payload."""
    result["payload_bytes"] = len(payload)
    with os.fdopen(RESULT_FD, "wb", closefd=True) as out:
        out.write(json.dumps(result).encode() + b"\n")
        out.write(payload)


def describe(error):
    return f"{type(error).__name__}: {error}"


def safe_member(name, dest):
    """For Pythons without tarfile filters: a member must stay inside dest."""
    target = os.path.realpath(os.path.join(dest, name))
    return target == dest or target.startswith(dest + os.sep)


def extract(sdist, dest):
    """Unpacks the sdist; returns the project directory and the newest member time (for SOURCE_DATE_EPOCH)."""
    os.makedirs(dest)
    newest = 0
    if zipfile.is_zipfile(sdist):
        with zipfile.ZipFile(sdist) as z:
            for info in z.infolist():
                if not safe_member(info.filename, dest):
                    raise ValueError(f"member {info.filename!r} would land outside the tree")
            z.extractall(dest)
    else:
        with tarfile.open(sdist) as t:
            members = t.getmembers()
            newest = max((int(m.mtime) for m in members), default=0)
            if hasattr(tarfile, "data_filter"):
                t.extractall(dest, filter="data")
            else:
                for m in members:
                    if not (m.isfile() or m.isdir()) or not safe_member(m.name, dest):
                        raise ValueError(f"member {m.name!r} is a link or would land outside the tree")
                t.extractall(dest)
    entries = os.listdir(dest)
    root = os.path.join(dest, entries[0]) if len(entries) == 1 and os.path.isdir(os.path.join(dest, entries[0])) else dest
    return root, newest


def build_system(root):
    """The [build-system] table, with PEP 517's fallback for projects without one."""
    path = os.path.join(root, "pyproject.toml")
    table = {}
    if os.path.exists(path):
        import tomllib

        with open(path, "rb") as f:
            table = tomllib.load(f).get("build-system", {})
    if "build-backend" not in table:
        return {"requires": table.get("requires", ["setuptools>=40.8.0"]), "backend": "setuptools.build_meta:__legacy__", "backend_path": []}
    return {"requires": table.get("requires", []), "backend": table["build-backend"], "backend_path": table.get("backend-path", [])}


def load_backend(root, spec, backend_path):
    for entry in reversed(backend_path):
        full = os.path.realpath(os.path.join(root, entry))
        if not (full == root or full.startswith(root + os.sep)):
            raise ValueError(f"backend-path {entry!r} leaves the project")
        sys.path.insert(0, full)
    module_name, _, attribute = spec.partition(":")
    backend = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else []:
        backend = getattr(backend, part)
    return backend


def requirement_name(text):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match.group(1) if match else text


def not_installed(requirements):
    missing = []
    for text in requirements:
        try:
            importlib.metadata.distribution(requirement_name(text))
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
    return missing


def look_like_a_terminal_session():
    """os.getlogin() asks the controlling terminal, which a sandboxed run has none of; answer as a developer's shell would."""
    os.getlogin = lambda: os.environ.get("USER", "builder")




PERSONA = "/gatehouse/persona"


def put_on_a_windows_persona():
    """For the dynamic check only (lenient runs): see windows_persona.py."""
    sys.path.insert(0, PERSONA)
    sys.dont_write_bytecode = True  # its directory is read-only; a failed __pycache__ would read as the package's write
    import windows_persona

    windows_persona.install()
    sys.dont_write_bytecode = False
    sys.path.remove(PERSONA)


# The package's code runs in a process of this program; the host traces from its start (see build and import below).
PACKAGE_PYTHON = os.environ.get("GATEHOUSE_DRIVER_PYTHON", "/gatehouse/env/bin/python")


def build(sdist, outdir, lenient, without):
    """Unpacks the sdist and reads its build-system table, then becomes the process in which the package's own code
    runs (PACKAGE_PYTHON): the host traces from that start, so unpacking the archive is not counted as its doing."""
    result = {"mode": "build", "status": "failed", "stage": "unpack"}
    try:
        root, newest = extract(sdist, os.path.join(WORK, "src"))
        result["stage"] = "read build-system"
        system = build_system(root)
    except BaseException as error:  # noqa: BLE001
        traceback.print_exc()
        result["error"] = describe(error)
        send(result)
        return
    state = {"root": root, "newest": newest, "outdir": outdir, "lenient": lenient, "without": without, "build_system": system}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(PACKAGE_PYTHON, [PACKAGE_PYTHON, "-I", os.path.abspath(__file__), "hooks", json.dumps(state)])


def run_hooks(state):
    """The PEP 517 hooks, in which setup.py and the backend run."""
    look_like_a_terminal_session()
    if state["lenient"]:
        put_on_a_windows_persona()
    root, outdir, system = state["root"], state["outdir"], state["build_system"]
    result = {"mode": "build", "status": "failed", "stage": "import the backend", "build_system": system}
    try:
        os.chdir(root)
        # Reproducible archives: backends date the wheel's entries by this, when it is set (it is not, by default).
        os.environ.setdefault("SOURCE_DATE_EPOCH", str(max(state["newest"], 315532800)))
        backend = load_backend(os.path.realpath(root), system["backend"], system["backend_path"])
        result["stage"] = "get_requires_for_build_wheel"
        hook = getattr(backend, "get_requires_for_build_wheel", None)
        requires = list(hook(None)) if hook else []
        result["requires_for_build"] = requires
        missing = [r for r in not_installed(requires) if r not in state["without"]]
        if missing:
            result["status"] = "missing-requirements"
            result["missing"] = missing
            send(result)
            return
        os.makedirs(outdir, exist_ok=True)
        prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
        if prepare:
            result["stage"] = "prepare_metadata_for_build_wheel"
            metadata_dir = tempfile.mkdtemp(prefix="metadata-", dir=WORK)
            dist_info = prepare(metadata_dir, None)
            with open(os.path.join(metadata_dir, dist_info, "METADATA"), encoding="utf-8") as f:
                result["prepared_metadata"] = f.read()
        result["stage"] = "build_wheel"
        name = backend.build_wheel(outdir, None)
        with open(os.path.join(outdir, name), "rb") as f:
            payload = f.read()
        result["status"] = "built"
        result["wheel"] = name
        del result["stage"]
        send(result, payload)
    except BaseException as error:  # noqa: BLE001 - a build may raise anything, SystemExit included
        traceback.print_exc()
        result["error"] = describe(error)
        send(result)


IMPORT_SNIPPET = """
import os, site, sys
sys.path.insert(0, "/gatehouse/persona")
sys.dont_write_bytecode = True
import windows_persona
windows_persona.install()
sys.dont_write_bytecode = False
sys.path.remove("/gatehouse/persona")
site.addsitedir(sys.argv[1])
import importlib
importlib.import_module(sys.argv[2])
"""


def install(wheel, site_dir):
    """Unpacks the wheel the way an installer lays it out: purelib and platlib into the site directory."""
    os.makedirs(site_dir)
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if not safe_member(info.filename, site_dir):
                raise ValueError(f"member {info.filename!r} would land outside the site directory")
        z.extractall(site_dir)
    for entry in os.listdir(site_dir):
        if entry.endswith(".data"):
            data = os.path.join(site_dir, entry)
            for scheme in ("purelib", "platlib"):
                src = os.path.join(data, scheme)
                if os.path.isdir(src):
                    for item in os.listdir(src):
                        shutil.move(os.path.join(src, item), os.path.join(site_dir, item))
            shutil.rmtree(data)


def import_modules(wheel, python, modules):
    result = {"mode": "import", "status": "failed", "stage": "install"}
    try:
        site_dir = os.path.join(WORK, "site")
        install(wheel, site_dir)
        result["stage"] = "import"
        outcomes = []
        for module in modules:
            try:
                run = subprocess.run([python, "-c", IMPORT_SNIPPET, site_dir, module], capture_output=True, text=True, timeout=120)
                last = (run.stderr.strip().splitlines() or [""])[-1]
                outcomes.append({"module": module, "ok": run.returncode == 0, **({} if run.returncode == 0 else {"error": last[:500]})})
                sys.stdout.write(run.stdout)
                sys.stderr.write(run.stderr)
            except subprocess.TimeoutExpired:
                outcomes.append({"module": module, "ok": False, "error": "still importing after 120 s"})
        result["imports"] = outcomes
        result["status"] = "imported"
        del result["stage"]
        send(result)
    except BaseException as error:  # noqa: BLE001
        traceback.print_exc()
        result["error"] = describe(error)
        send(result)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    options = sys.argv[4:]
    lenient = options[:1] == ["--lenient"]
    rest = options[1:] if lenient else options
    without = rest[1:] if rest[:1] == ["--without"] else []
    if mode == "build" and len(sys.argv) >= 4 and (rest == [] or without):
        build(sys.argv[2], sys.argv[3], lenient, without)
    elif mode == "hooks" and len(sys.argv) == 3:
        run_hooks(json.loads(sys.argv[2]))
    elif mode == "import" and len(sys.argv) >= 4:
        import_modules(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit("usage: driver.py build SDIST OUTDIR [--lenient] [--without REQUIREMENT...] | import WHEEL PYTHON MODULE...")


if __name__ == "__main__":
    main()
