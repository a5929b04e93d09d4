#!/usr/bin/env python3
"""Checks the shape of `src/` that the 1.0 surface promises, from the
source text alone (no build):

- no circle of files: the graph of `crate::` paths between the files of
  `src/` (tests and comments left out) has no cycle;
- a ground floor: the leaf modules (endpoint URLs, entropy, text escaping
  and token syntax, time and HTTP dates, limits, secrets, members, PKCE,
  scope, mTLS markers, the errors) import nothing but each other;
- no file in `src/` over 700 lines;
- at most 12 public error types (types implementing `core::error::Error`);
- at most 30 names at the crate root (the `pub use` items before the
  first public module group in `src/lib.rs`; a module re-exported there
  counts with the modules, not the names).

    python3 .ci/structure.py        # prints the counts; exits 1 on a breach
"""
import os
import re
import sys

SRC = "src"
MAX_LINES = 700
MAX_ERROR_TYPES = 12
MAX_ROOT_NAMES = 30
LEAVES = {
    "endpoint", "entropy", "syntax", "text", "time", "limits", "secret",
    "members", "pkce", "scope", "mtls", "wire/http_date",
    "error", "error/codes", "error/config", "error/endpoint", "error/jwt",
    "error/leaf", "error/misuse", "error/resource", "error/value",
}


def module_of(path):
    name = path[len(SRC) + 1:-len(".rs")]
    if name.endswith("/mod"):
        name = name[:-len("/mod")]
    return "" if name == "lib" else name


def code_only(text):
    """The file without its unit tests and without comments."""
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests\s*\{", text)[0]
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return "\n".join(lines)


def main():
    sources = {}
    for folder, _, names in os.walk(SRC):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith(".rs") and name != "tests.rs" and "/tests/" not in path:
                sources[module_of(path)] = open(path, encoding="utf-8").read()

    def resolve(crate_path):
        parts = crate_path.split("::")
        for end in range(len(parts), 0, -1):
            module = "/".join(parts[:end])
            if module in sources:
                return module
        return None

    edges = {module: set() for module in sources}
    for module, text in sources.items():
        code = code_only(text)
        # `use crate::a::{b, c::D}`: each item of the braces is a path.
        for used in re.finditer(r"use crate::([\w:]*)\{([^;]*)\};", code, re.S):
            for item in re.findall(r"[\w:]+", used.group(2)):
                target = resolve(used.group(1) + item)
                if target not in (None, "", module):
                    edges[module].add(target)
        for used in re.finditer(r"crate::([\w:]+)", code):
            target = resolve(used.group(1).rstrip(":"))
            if target not in (None, "", module):
                edges[module].add(target)

    breaches = []

    # Cycles: Tarjan's strongly connected components, iteratively.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    for cycle in cycles:
        breaches.append("a circle of files: " + " -> ".join(cycle))

    upward = sorted(
        (leaf, target)
        for leaf in LEAVES & set(edges)
        for target in edges[leaf]
        if target not in LEAVES
    )
    for leaf, target in upward:
        breaches.append(f"the leaf module {leaf} imports {target}")

    long_files = sorted(
        (len(text.splitlines()), module) for module, text in sources.items()
    )
    for lines, module in long_files:
        if lines > MAX_LINES:
            breaches.append(f"{module} has {lines} lines (at most {MAX_LINES})")

    error_types = sorted(
        {
            name
            for text in sources.values()
            for name in re.findall(r"impl(?:<[^>]*>)? core::error::Error for (\w+)", code_only(text))
        }
    )
    if len(error_types) > MAX_ERROR_TYPES:
        breaches.append(f"{len(error_types)} public error types (at most {MAX_ERROR_TYPES})")

    lib = sources[""]
    root_block = lib[: lib.index("\npub mod device")] if "\npub mod device" in lib else lib
    root_names = set()
    for used in re.finditer(r"^pub use crate::[\w:]*?(?:\{([^;]*)\}|(\w+));", root_block, re.M | re.S):
        items = used.group(1) if used.group(1) is not None else used.group(2)
        root_names.update(re.findall(r"\w+(?=\s*(?:,|$))", items.strip() + ","))
    # A module re-exported at the root (`transport`) is one of the groups,
    # like the `pub mod` blocks, not a name.
    root_modules = {name for name in root_names if name[0].islower()}
    root_names -= root_modules
    if len(root_names) > MAX_ROOT_NAMES:
        breaches.append(f"{len(root_names)} names at the crate root (at most {MAX_ROOT_NAMES})")

    print(f"files in src/: {len(sources)}; circles: {len(cycles)}; leaf imports upward: {len(upward)}")
    print(f"longest file: {long_files[-1][1]} ({long_files[-1][0]} lines)")
    print(f"public error types: {len(error_types)}: {', '.join(error_types)}")
    print(f"names at the crate root: {len(root_names)}: {', '.join(sorted(root_names))}")
    print(f"modules re-exported at the root: {', '.join(sorted(root_modules))}")
    for breach in breaches:
        print("breach: " + breach, file=sys.stderr)
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
