#!/usr/bin/env python3
"""Make sure Debian's chromium is installed for the browser tests (never a downloaded browser).

Installs the `chromium` package with apt-get when running as root; otherwise says loudly that the
browser tests will be skipped and how to enable them.
"""
import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("HROMADA_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return 0
    apt = shutil.which("apt-get")
    if apt and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Встановлюю Debian chromium для браузерних тестів… / Installing Debian chromium for browser tests…")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "-qq", "update"], env=env, check=False, stdout=subprocess.DEVNULL)
        done = subprocess.run([apt, "install", "-y", "-qq", "chromium", "poppler-utils"], env=env, check=False,
                              stdout=subprocess.DEVNULL)
        if done.returncode == 0:
            return 0
    bar = "!" * 78
    print(f"{bar}\n!! Debian chromium не знайдено і не вдалося встановити: браузерні тести буде ПРОПУЩЕНО.\n"
          f"!! Debian chromium is missing and could not be installed: browser tests will be SKIPPED.\n"
          f"!! Встановіть / install: sudo apt-get install chromium\n{bar}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
