#!/usr/bin/env python3
"""Generates the Kueue visibility API fixtures and the numbers expected from them.

Run from anywhere: `python3 tests/data/kueue/generate.py` rewrites the *.json files next to
this script. Output is deterministic (own PRNG, no dependencies beyond the standard library).

The fixtures are bodies of Kueue's on-demand visibility API (PendingWorkloadsSummary, see
kubernetes-sigs/kueue apis/visibility/v1beta{1,2}/types.go), written the way the API server
writes them: compact JSON, Go field order, whole-second UTC `creationTimestamp`s. Queue order
follows Kueue's BestEffortFIFO (priority descending, then creation time), and positions follow
pkg/visibility/storage: in a cluster-queue response `positionInLocalQueue` is counted per local
queue *name* (two namespaces with a `user-queue` share one counter); in a local-queue response
it is the rank within that local queue.

expected.json holds, per fixture, the summaries (kubeprom's KueueSummaryReport shape), the
skipped items, and the exposition sample lines, all computed here from the generator's own
numbers, independently of the Rust code under test. `+Inf` is written as the string "+Inf"
and NaN as null, since JSON has neither.
"""

import json
import os
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))

# 2025-10-09T08:53:20Z: the `now` every expected number is computed for.
NOW = 1_760_000_000

# The pending-age histogram bounds kubeprom documents (seconds): 1 s ... 1 week.
BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 43200, 86400,
           172800, 345600, 604800]


class Rng:
    """splitmix64: small, fast and the same on every Python version."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def hex(self, n):
        return "".join("0123456789abcdef"[self.below(16)] for _ in range(n))

    def uuid(self):
        return f"{self.hex(8)}-{self.hex(4)}-4{self.hex(3)}-a{self.hex(3)}-{self.hex(12)}"


OWNERS = [
    ("batch/v1", "Job", "job"),
    ("jobset.x-k8s.io/v1alpha2", "JobSet", "jobset"),
    ("ray.io/v1", "RayJob", "rayjob"),
    ("kubeflow.org/v1", "PyTorchJob", "pytorchjob"),
]

JOB_WORDS = ["train", "eval", "sweep", "finetune", "etl", "report", "embed", "infer", "backfill"]


def rfc3339(ts):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def age(rng):
    """A wait in seconds: mostly minutes to hours, some days, a few created 'in the future'
    (clock skew between the API server and the caller)."""
    roll = rng.below(100)
    if roll < 2:
        return -(1 + rng.below(90))
    if roll < 30:
        return rng.below(600)
    if roll < 70:
        return 600 + rng.below(6 * 3600)
    if roll < 95:
        return 6 * 3600 + rng.below(3 * 86400)
    return 3 * 86400 + rng.below(10 * 86400)


def make_workloads(rng, n, local_queues, priorities):
    workloads = []
    for _ in range(n):
        ns, lq = rng.pick(local_queues)
        api_version, kind, prefix = rng.pick(OWNERS)
        job = f"{rng.pick(JOB_WORDS)}-{rng.hex(5)}"
        workloads.append({
            "name": f"{prefix}-{job}-{rng.hex(5)}",
            "namespace": ns,
            "created": NOW - age(rng),
            "owner": {"apiVersion": api_version, "kind": kind, "name": job, "uid": rng.uuid()},
            "priority": rng.pick(priorities),
            "localQueueName": lq,
        })
    # BestEffortFIFO: higher priority first, then older first.
    workloads.sort(key=lambda w: (-w["priority"], w["created"], w["name"]))
    return workloads


def cluster_queue_items(workloads):
    """Positions as pkg/visibility/storage/pending_workloads_cq.go assigns them."""
    per_name = {}
    items = []
    for index, w in enumerate(workloads):
        pos_lq = per_name.get(w["localQueueName"], 0)
        per_name[w["localQueueName"]] = pos_lq + 1
        items.append((w, index, pos_lq))
    return items


def local_queue_items(workloads, namespace, lq):
    """Positions as pkg/visibility/storage/pending_workloads_lq.go assigns them."""
    items = []
    for index, w in enumerate(workloads):
        if w["namespace"] == namespace and w["localQueueName"] == lq:
            items.append((w, index, len(items)))
    return items


def item_json(w, pos_cq, pos_lq):
    return {
        "metadata": {
            "name": w["name"],
            "namespace": w["namespace"],
            "creationTimestamp": rfc3339(w["created"]),
            "ownerReferences": [w["owner"]],
        },
        "priority": w["priority"],
        "localQueueName": w["localQueueName"],
        "positionInClusterQueue": pos_cq,
        "positionInLocalQueue": pos_lq,
    }


def quantile(sorted_waits, n, i):
    if len(sorted_waits) == 1:
        return float(sorted_waits[0])
    # 'inclusive' is the linear interpolation between closest ranks (numpy's default).
    return statistics.quantiles(sorted_waits, n=n, method="inclusive")[i]


def summary(cluster_queue, lq_ref, members, head_limit):
    """members: (workload, position in this queue) in any order."""
    waits = sorted(max(NOW - w["created"], 0) for w, _ in members)
    buckets = [{"le": le, "count": sum(1 for x in waits if x <= le)} for le in BUCKETS]
    buckets.append({"le": "+Inf", "count": len(waits)})
    prios = {}
    for w, _ in members:
        prios[w["priority"]] = prios.get(w["priority"], 0) + 1
    head = sorted(members, key=lambda m: m[1])[:head_limit]
    out = {"clusterQueue": cluster_queue}
    if lq_ref:
        out["namespace"], out["localQueue"] = lq_ref
    out.update({
        "pending": len(members),
        "priorityMin": min(prios) if prios else None,
        "priorityMax": max(prios) if prios else None,
        "oldestCreation": min(w["created"] for w, _ in members) if members else None,
        "wait": {
            "buckets": buckets,
            "count": len(waits),
            "sum": sum(waits),
            "p50": quantile(waits, 2, 0) if waits else None,
            "p95": quantile(waits, 20, 18) if waits else None,
            "max": waits[-1] if waits else None,
        },
        "byPriority": [{"priority": p, "pending": prios[p]} for p in sorted(prios, reverse=True)],
        "head": [{
            "namespace": w["namespace"],
            "name": w["name"],
            "localQueue": w["localQueueName"],
            "position": pos,
            "priority": w["priority"],
            "waitSeconds": max(NOW - w["created"], 0),
        } for w, pos in head],
    })
    return out


def summaries(cluster_queue, items, head_limit):
    """items: (workload, positionInClusterQueue, positionInLocalQueue) of the valid items."""
    out = [summary(cluster_queue, None, [(w, pcq) for w, pcq, _ in items], head_limit)]
    keys = sorted({(w["namespace"], w["localQueueName"]) for w, _, _ in items})
    for ns, lq in keys:
        members = [(w, plq) for w, _, plq in items if (w["namespace"], w["localQueueName"]) == (ns, lq)]
        out.append(summary(cluster_queue, (ns, lq), members, head_limit))
    return out


def fmt(v):
    if v == "+Inf":
        return "+Inf"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def esc(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def labels(pairs):
    return "{" + ",".join(f'{k}="{esc(str(v))}"' for k, v in pairs) + "}" if pairs else ""


def exposition_lines(sums):
    """The sample lines (no comments) kubeprom's text exposition must contain, in order."""
    lines = []
    for scope, infix in ((False, ""), (True, "local_queue_")):
        group = [s for s in sums if ("localQueue" in s) == scope]
        name = "kubeprom_kueue_" + infix

        def base(s):
            pairs = [("cluster_queue", s["clusterQueue"])]
            if scope:
                pairs += [("namespace", s["namespace"]), ("local_queue", s["localQueue"])]
            return pairs

        for s in group:
            lines.append(f"{name}pending_workloads{labels(base(s))} {fmt(s['pending'])}")
        for s in group:
            for p in s["byPriority"]:
                lines.append(f"{name}pending_workloads_by_priority"
                             f"{labels(base(s) + [('priority', p['priority'])])} {fmt(p['pending'])}")
        for s in group:
            oldest = s["wait"]["max"] if s["pending"] else 0
            lines.append(f"{name}oldest_pending_workload_age_seconds{labels(base(s))} {fmt(oldest)}")
        for s in group:
            for b in s["wait"]["buckets"]:
                lines.append(f"{name}pending_workload_age_seconds_bucket"
                             f"{labels(base(s) + [('le', fmt(b['le']))])} {b['count']}")
            lines.append(f"{name}pending_workload_age_seconds_sum{labels(base(s))} {fmt(s['wait']['sum'])}")
            lines.append(f"{name}pending_workload_age_seconds_count{labels(base(s))} {s['wait']['count']}")
        for s in group:
            for h in s["head"]:
                pairs = [("cluster_queue", s["clusterQueue"]), ("namespace", h["namespace"]),
                         ("local_queue", h["localQueue"]), ("workload", h["name"])]
                lines.append(f"{name}pending_workload_position{labels(pairs)} {fmt(h['position'])}")
    return lines


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def main():
    expected = {"now": NOW, "buckets": BUCKETS, "fixtures": {}}

    def record(file, cluster_queue, head_limit, items, skipped):
        sums = summaries(cluster_queue, items, head_limit)
        expected["fixtures"][file] = {
            "clusterQueue": cluster_queue,
            "headLimit": head_limit,
            "summaries": sums,
            "skipped": skipped,
            "exposition": exposition_lines(sums),
        }

    # 1. A GPU cluster queue, v1beta2, 420 workloads in 5 local queues of 4 namespaces; two
    #    namespaces both call their local queue `user-queue`. Item 137 has a bad date.
    rng = Rng(20251009)
    gpu = make_workloads(rng, 420, [
        ("ml-research", "user-queue"), ("ml-platform", "user-queue"),
        ("ml-research", "large-training"), ("vision-team", "batch"), ("nlp-team", "batch-high"),
    ], [0, 0, 0, 100, 1000, -100])
    items = cluster_queue_items(gpu)
    docs = [item_json(w, pcq, plq) for w, pcq, plq in items]
    bad = 137
    docs[bad]["metadata"]["creationTimestamp"] = "2025-10-32T25:61:00Z"
    write("cq-gpu-a100-v1beta2.json", {
        "kind": "PendingWorkloadsSummary",
        "apiVersion": "visibility.kueue.x-k8s.io/v1beta2",
        "metadata": {},
        "items": docs,
    })
    record("cq-gpu-a100-v1beta2.json", "gpu-a100", 10,
           [it for i, it in enumerate(items) if i != bad],
           [{"index": bad, "path": f"items[{bad}].metadata.creationTimestamp"}])

    # 2. A CPU batch cluster queue, v1beta1 (older Kueue), 260 workloads in 4 local queues.
    #    Item 42 carries a priority class name where the int32 priority belongs.
    rng = Rng(7)
    cpu = make_workloads(rng, 260, [
        ("data-eng", "etl"), ("data-eng", "adhoc"), ("analytics", "default"),
        ("analytics-prod", "default"),
    ], [0, 10, 10, 50, 200])
    items = cluster_queue_items(cpu)
    docs = [item_json(w, pcq, plq) for w, pcq, plq in items]
    bad = 42
    docs[bad]["priority"] = "high-priority"
    write("cq-cpu-batch-v1beta1.json", {
        "kind": "PendingWorkloadsSummary",
        "apiVersion": "visibility.kueue.x-k8s.io/v1beta1",
        "metadata": {"creationTimestamp": None},
        "items": docs,
    })
    record("cq-cpu-batch-v1beta1.json", "cpu-batch", 5,
           [it for i, it in enumerate(items) if i != bad],
           [{"index": bad, "path": f"items[{bad}].priority"}])

    # 3. The local-queue endpoint for ml-research/user-queue of the GPU queue (v1beta2).
    items = local_queue_items(gpu, "ml-research", "user-queue")
    write("lq-ml-research-user-queue-v1beta2.json", {
        "kind": "PendingWorkloadsSummary",
        "apiVersion": "visibility.kueue.x-k8s.io/v1beta2",
        "metadata": {},
        "items": [item_json(w, pcq, plq) for w, pcq, plq in items],
    })
    record("lq-ml-research-user-queue-v1beta2.json", "gpu-a100", 10, items, [])

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
