"""For the dynamic check only: lets code written for Windows get past its imports on the Linux sandbox, so it reaches
what it actually does (reading browser stores, calling home, starting processes) where the tracer can see it.

Windows-only modules (winreg, win32api, win32crypt, ...) and ctypes.windll are stand-ins whose every attribute and
call answers another stand-in (zero as a number, empty as a string or a sequence). Nothing here is real Windows;
the point is only that the code does not stop at `import winreg`. Installed by driver.py on a lenient run.
"""
import ctypes
import importlib.abc
import importlib.machinery
import os
import subprocess
import sys
import types

WINDOWS_MODULES = {
    "winreg", "_winreg", "msvcrt", "winsound", "_winapi", "nt",
    "win32api", "win32con", "win32crypt", "win32gui", "win32process", "win32clipboard", "win32com", "win32com.client",
    "win32security", "win32service", "win32event", "win32file", "win32pipe", "win32ui", "win32cred", "win32net",
    "pywintypes", "pythoncom", "wmi", "comtypes", "comtypes.client", "pywinauto",
}

WINDOWS_ONLY_FLAGS = ("CREATE_NO_WINDOW", "CREATE_NEW_CONSOLE", "DETACHED_PROCESS", "CREATE_NEW_PROCESS_GROUP", "STARTF_USESHOWWINDOW", "SW_HIDE")


class StandIn:
    """Any attribute, call, index or conversion answers: another stand-in, 0, '', or nothing to iterate."""

    def __init__(self, name="stand-in"):
        self._name = name

    def __getattr__(self, attribute):
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return StandIn(f"{self._name}.{attribute}")

    def __call__(self, *args, **kwargs):
        return StandIn(f"{self._name}()")

    def __getitem__(self, key):
        return StandIn(f"{self._name}[]")

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __bool__(self):
        return False

    def __str__(self):
        return ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class StandInModule(types.ModuleType):
    def __getattr__(self, attribute):
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        return StandIn(f"{self.__name__}.{attribute}")


class WindowsModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in WINDOWS_MODULES:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec):
        module = StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


def install():
    os.getlogin = lambda: os.environ.get("USER", "builder")
    for name in WINDOWS_ONLY_FLAGS:
        if not hasattr(subprocess, name):
            setattr(subprocess, name, 0)
    for name in ("windll", "oledll", "WinDLL", "OleDLL", "WINFUNCTYPE", "FormatError", "GetLastError", "WinError"):
        if not hasattr(ctypes, name):
            setattr(ctypes, name, StandIn(f"ctypes.{name}"))
    sys.meta_path.append(WindowsModules())
