"""``python -m hromada.registers.simulator --port 8190``: the register simulator (a stand-in, never production)."""
from __future__ import annotations

import argparse
import os


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Тестовий реєстр: симулятор державних реєстрів за протоколом X-Road")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before every answer")
    parser.add_argument("--failure-rate", type=float, default=0.0, help="share of answers that fail (0..1)")
    parser.add_argument("--births-every", type=float, default=0.0, help="a new birth registration every N seconds")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hromada.settings")
    import django

    django.setup()   # the synthetic data follow the demo residents (hromada.persons.demo)
    from .server import serve

    serve(args.host, args.port, births_every=args.births_every, latency=args.latency,
          failure_rate=args.failure_rate, seed=args.seed)


if __name__ == "__main__":
    main()
