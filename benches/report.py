#!/usr/bin/env python3
"""Turns a divan run of benches/steps.rs (and optionally the TSV of
benches/callgrind.sh) into the Markdown tables of benches/RESULTS.md.

    cargo bench --manifest-path benches/Cargo.toml --bench steps > /tmp/divan.txt
    bash benches/callgrind.sh > /tmp/callgrind.tsv
    python3 benches/report.py /tmp/divan.txt [/tmp/callgrind.tsv [/tmp/callgrind-before.tsv]]

With a second callgrind TSV (an earlier commit's run), the instruction table
gets "before" and "change" columns.
"""

import re
import sys

UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}

# step label -> (ours, floor, oauth2 or None)
STEPS = [
    ("start (URL + pending state; entropy given)", "ours::start", "floor::start", "oauth2_5::authorize_url_fixed"),
    ("start incl. `FlowEntropy::from_os_rng()`", "ours::start_os_rng", "floor::start_os_rng", "oauth2_5::authorize_url_random"),
    ("callback (`Callback::from_url` + `handle_callback`)", "ours::callback", "floor::callback", None),
    ("token request (`Exchanging::token_request`)", "ours::token_request", "floor::token_request", None),
    ("token request as `http::Request` (`token_request_http`)", "ours::token_request_http", "floor::token_request_http", None),
    ("token response (`handle_token_response`, Pagero body)", "ours::token_response", "floor::token_response", None),
    ("code exchange (request → `http` + response parse)", "ours::exchange", "floor::exchange", "oauth2_5::exchange"),
    ("code exchange, sans-IO (`token_request` + `handle_token_response`)", "ours::exchange_sans_io", "floor::exchange_sans_io", "oauth2_5::exchange"),
    ("refresh request (`refresh` + `token_request`)", "ours::refresh_request", "floor::refresh_request", None),
    ("refresh response (`Refreshing::handle_token_response`)", "ours::refresh_response", "floor::refresh_response", None),
    ("bearer (`bearer_authorization(&str)`)", "ours::bearer_authorization", "floor::bearer_authorization", None),
    ("bearer (`authorize_request(&mut http::Request)`)", "ours::authorize_request", "floor::authorize_request", None),
    ("store `AwaitingCallback` (`serde_json::to_string`)", "ours::awaiting_serialize", "floor::awaiting_serialize", None),
    ("load `AwaitingCallback` (`serde_json::from_str`)", "ours::awaiting_deserialize", "floor::awaiting_deserialize", None),
    ("store `Authorized` (`serde_json::to_string`)", "ours::authorized_serialize", "floor::authorized_serialize", None),
    ("load `Authorized` (`serde_json::from_str`)", "ours::authorized_deserialize", "floor::authorized_deserialize", None),
    ("load `AwaitingCallback` (`from_json(&[u8])`)", "ours::awaiting_from_json", "floor::awaiting_deserialize", None),
    ("load `Authorized` (`from_json(&[u8])`)", "ours::authorized_from_json", "floor::authorized_deserialize", None),
]


def to_ns(text):
    number, unit = text.strip().split()
    return float(number) * UNITS[unit]


def parse_divan(path):
    """Reads divan's tree table by column position (taken from its header)."""
    results = {}
    lines = open(path, encoding="utf-8").read().splitlines()
    header = next(line for line in lines if "fastest" in line and "median" in line)
    col_start = header.index("fastest")
    bars = [i for i, ch in enumerate(header) if ch == "│"]
    groups = {}
    current = None
    kind = None
    for line in lines[lines.index(header) + 1:]:
        if len(line) <= col_start:
            continue
        left = line[:col_start]
        fields = [line[col_start:bars[0]]] + [line[a + 1:b] for a, b in zip(bars, bars[1:])]
        fastest = fields[0].strip()
        median = fields[2].strip() if len(fields) > 2 else ""
        match = re.search(r"[├╰]─ (\S+)", left)
        if match:
            depth = match.start()
            name = match.group(1)
            if not fastest:
                groups[depth] = name
                current = None
                continue
            parents = [groups[d] for d in sorted(groups) if d < depth]
            current = "::".join(parents + [name])
            results[current] = {"median_ns": to_ns(median), "alloc": 0, "dealloc": 0, "grow": 0, "alloc_bytes": ""}
            kind = None
            continue
        if current is None:
            continue
        label = fastest
        if label.endswith(":"):
            kind, row = label[:-1], 0
            continue
        if kind and median:
            if row == 0 and kind in ("alloc", "dealloc", "grow"):
                results[current][kind] = int(float(median))
            elif row == 1 and kind == "alloc":
                results[current]["alloc_bytes"] = median
            row += 1
    return results


def parse_callgrind(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            out[parts[0]] = int(parts[1])
    return out


def fmt_ns(ns):
    return f"{ns:,.0f}" if ns >= 100 else f"{ns:.1f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def main():
    divan = parse_divan(sys.argv[1])
    cg = parse_callgrind(sys.argv[2]) if len(sys.argv) > 2 else {}
    before = parse_callgrind(sys.argv[3]) if len(sys.argv) > 3 else {}
    for table in (cg, before):
        if "floor::token_response" in table:
            # the same function measures both floors
            table.setdefault("floor::refresh_response", table["floor::token_response"])
    print("| step | median ns (ours / floor / oauth2) | ratio to floor (ns) | ratio to floor (instr.) | speed-up vs oauth2 (ns) | speed-up vs oauth2 (instr.) | allocs + grows per call (ours / floor / oauth2) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, ours, floor, theirs in STEPS:
        o, f, t = divan.get(ours), divan.get(floor), divan.get(theirs) if theirs else None
        if not o or not f:
            continue
        ns = f"{fmt_ns(o['median_ns'])} / {fmt_ns(f['median_ns'])}" + (f" / {fmt_ns(t['median_ns'])}" if t else "")
        allocs = lambda r: f"{r['alloc']}+{r['grow']}"
        alloc_cell = f"{allocs(o)} / {allocs(f)}" + (f" / {allocs(t)}" if t else "")
        print(
            f"| {label} | {ns} | {ratio(o['median_ns'], f['median_ns'])} | {ratio(cg.get(ours), cg.get(floor))} | "
            f"{ratio(t['median_ns'], o['median_ns']) if t else '–'} | {ratio(cg.get(theirs), cg.get(ours)) if theirs else '–'} | {alloc_cell} |"
        )
    if cg and before:
        print()
        print("| benchmark | instructions per call, before | after | change |")
        print("| --- | ---: | ---: | ---: |")
        for name, value in cg.items():
            old = before.get(name)
            change = f"{(value - old) / old:+.1%}" if old else "–"
            print(f"| `{name}` | {f'{old:,}' if old else '–'} | {value:,} | {change} |")
    elif cg:
        print()
        print("| benchmark | instructions per call |")
        print("| --- | ---: |")
        for name, value in cg.items():
            print(f"| `{name}` | {value:,} |")
    print()
    print("| benchmark | median ns | allocs | grows | deallocs | bytes allocated |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in divan.items():
        print(f"| `{name}` | {fmt_ns(r['median_ns'])} | {r['alloc']} | {r['grow']} | {r['dealloc']} | {r['alloc_bytes']} |")


if __name__ == "__main__":
    main()
