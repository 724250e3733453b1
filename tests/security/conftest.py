def pytest_collection_modifyitems(config, items):
    """The long fuzzing run belongs to `make fuzz` (-m fuzz); a plain run leaves it out entirely."""
    if "fuzz" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if not item.get_closest_marker("fuzz")]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("fuzz")])
        items[:] = kept
