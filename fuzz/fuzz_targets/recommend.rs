//! Right-sizing with arbitrary specs and answers, for a workload or a whole namespace: never a
//! panic; every planned query parses with promql-parser with the namespace and workload name as
//! exact matchers; every recommendation is finite, at least the minimums and the usage it
//! covers, and its quantity reads back as it; in a namespace's, each container keeps the
//! workload of its answers.
//! The right-sizing rules of the same settings exist whenever the plan does, and parse.
#![no_main]

use arbitrary::Arbitrary;
use kubeprom::quantity::parse_quantity;
use kubeprom::query::{WorkloadKind, WorkloadRef};
use kubeprom::recommend::{
    plan, recommend, right_sizing_rules, Answers, ContainerKey, CpuLimitPolicy, Need,
    RecommendSpec, RulesSpec,
};
use kubeprom_fuzz::{matchers, substitute_range_variables};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    namespace: String,
    kind: u8,
    /// `None`: the whole namespace.
    name: Option<String>,
    container: Option<String>,
    window: Option<String>,
    step: Option<String>,
    min_history: Option<String>,
    cpu_percentile: Option<f64>,
    memory_buffer: Option<f64>,
    cpu_limit: Option<f64>,
    min_cpu: Option<f64>,
    min_memory: Option<f64>,
    tolerance: Option<f64>,
    answers: Vec<(u8, u8, f64)>,
}

fuzz_target!(|input: Input| {
    let spec = RecommendSpec {
        namespace: input.namespace,
        workload: input.name.map(|name| WorkloadRef {
            kind: WorkloadKind::ALL[usize::from(input.kind) % WorkloadKind::ALL.len()],
            name,
        }),
        container: input.container,
        window: input.window,
        step: input.step,
        rate_window: None,
        cpu_percentile: input.cpu_percentile,
        memory_buffer: input.memory_buffer,
        cpu_limit: input.cpu_limit.map(CpuLimitPolicy::RequestTimes),
        min_cpu: input.min_cpu,
        min_memory: input.min_memory,
        min_history: input.min_history,
        tolerance: input.tolerance,
        profile: None,
        cluster: None,
    };
    let rules = right_sizing_rules(&RulesSpec {
        window: spec.window.clone(),
        step: spec.step.clone(),
        rate_window: None,
        cpu_percentile: spec.cpu_percentile,
        memory_buffer: spec.memory_buffer,
        min_cpu: spec.min_cpu,
        min_memory: spec.min_memory,
        min_history: spec.min_history.clone(),
        tolerance: spec.tolerance,
        profile: None,
    });
    if let Ok(rules) = &rules {
        let records = rules.records.iter().map(|r| &r.expr);
        for expr in records.chain(rules.alerts.iter().map(|a| &a.expr)) {
            matchers(expr).unwrap_or_else(|e| panic!("rule does not parse: {e}\n{expr}"));
        }
    }
    let Ok(plan) = plan(&spec) else {
        return;
    };
    assert!(
        rules.is_ok(),
        "{:?} for settings the plan takes",
        rules.err()
    );
    for q in &plan.queries {
        let found = matchers(&substitute_range_variables(&q.promql))
            .unwrap_or_else(|e| panic!("planned query does not parse: {e}\n{}", q.promql));
        let namespace = [("namespace", &spec.namespace)];
        let workload = spec.workload.as_ref().map(|w| ("owner_name", &w.name));
        for (label, value) in namespace.into_iter().chain(workload) {
            assert!(
                found
                    .iter()
                    .any(|(n, op, v)| n == label && op == "=" && v == value),
                "{label}={value:?} not matched exactly in\n{}",
                q.promql
            );
        }
    }
    let mut answers = Answers::new();
    // A namespace's answers name each container's workload, from three of them.
    let workload_of = |container: u8| {
        spec.workload.is_none().then(|| WorkloadRef {
            kind: WorkloadKind::ALL[usize::from(container / 4) % 2],
            name: format!("w{}", container % 3),
        })
    };
    for (need, container, value) in input.answers {
        let need = Need::ALL[usize::from(need) % Need::ALL.len()];
        answers.entry(need).or_default().insert(
            ContainerKey {
                workload: workload_of(container),
                container: format!("c{}", container % 4),
            },
            value,
        );
    }
    let s = &plan.settings;
    let answered: Vec<&ContainerKey> = answers.values().flat_map(|by| by.keys()).collect();
    for c in recommend(&spec, &plan, &answers) {
        let workload = c.workload.as_ref().expect("every container has a workload");
        match &spec.workload {
            Some(w) => assert_eq!(workload, w, "{c:?}"),
            None => {
                assert!(
                    answered.iter().any(
                        |k| k.workload.as_ref() == Some(workload) && k.container == c.container
                    ),
                    "{c:?} is no container of the answers"
                );
                if let Some(cmd) = &c.kubectl {
                    let kind = workload.kind.as_str().to_ascii_lowercase();
                    let named = format!("kubectl set resources {kind}/{} -n ", workload.name);
                    assert!(cmd.starts_with(&named), "{cmd}");
                }
            }
        }
        for (advice, is_cpu) in [
            (&c.cpu_request, true),
            (&c.cpu_limit, true),
            (&c.memory_request, false),
            (&c.memory_limit, false),
        ] {
            let Some(v) = advice.recommended else {
                continue;
            };
            assert!(v.is_finite() && v >= 0.0, "{c:?}");
            let quantity = advice
                .quantity
                .as_deref()
                .expect("a quantity beside the value");
            let back = parse_quantity(quantity).expect("a quantity that parses");
            assert!((back - v).abs() <= v * 1e-12, "{quantity} is not {v}");
            if is_cpu {
                assert!(v >= s.min_cpu - 1e-9, "{c:?}");
            } else {
                assert!(v >= s.min_memory, "{c:?}");
            }
        }
        if let (Some(usage), Some(request)) = (c.cpu_usage, c.cpu_request.recommended) {
            assert!(request >= usage - 1e-9, "{c:?}");
        }
        if let (Some(peak), Some(request)) = (c.memory_peak, c.memory_request.recommended) {
            assert!(request >= peak, "{c:?}");
        }
    }
});
