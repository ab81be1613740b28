#!/usr/bin/env python3
"""Render the per-pod PromQL of the kubernetes-mixin into JSON, for the linter corpus.

Evaluates the mixin's own jsonnet query definitions with its default config (nothing is
copied by hand), so the corpus can be refreshed when the mixin changes:

    pip install jsonnet
    python3 render_mixin.py /path/to/kubernetes-mixin > mixin-rendered.json

Output: {"<file>#<name>": "<query>"}; corpus.json takes the per-pod entries and adds, by hand,
the findings each query should get.
"""
import json
import os
import sys

import _jsonnet

QUERY_FILES = [
    "dashboards/resources/queries/pod.libsonnet",
    "dashboards/resources/queries/namespace.libsonnet",
    "dashboards/resources/queries/node.libsonnet",
    "dashboards/resources/queries/workload.libsonnet",
    "dashboards/network-usage/queries/pod-total.libsonnet",
    "dashboards/network-usage/queries/namespace-by-pod.libsonnet",
]

RULE_FILES = ["rules/apps.libsonnet"]
ALERT_FILES = ["alerts/apps_alerts.libsonnet", "alerts/resource_alerts.libsonnet"]


def main(root):
    out = {}
    for f in QUERY_FILES:
        snippet = """
local c = (import 'config.libsonnet')._config;
local q = import '%s';
{ [k]: q[k](c) for k in std.objectFieldsAll(q) if std.isFunction(q[k]) }
""" % f
        for name, query in json.loads(_jsonnet.evaluate_snippet("q", snippet, jpathdir=[root])).items():
            if isinstance(query, str):
                out["%s#%s" % (f, name)] = query
    for files, key in ((RULE_FILES, "prometheusRules"), (ALERT_FILES, "prometheusAlerts")):
        imports = " + ".join("(import '%s')" % f for f in files)
        snippet = "(%s + (import 'config.libsonnet')).%s" % (imports, key)
        groups = json.loads(_jsonnet.evaluate_snippet("r", snippet, jpathdir=[root]))["groups"]
        for g in groups:
            for r in g["rules"]:
                name = r.get("record") or r.get("alert")
                k = "%s#%s" % (g["name"], name)
                i = 2
                while k in out:
                    k = "%s#%s#%d" % (g["name"], name, i)
                    i += 1
                out[k] = r["expr"].strip()
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.getcwd())
