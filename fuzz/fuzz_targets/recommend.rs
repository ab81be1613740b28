//! Right-sizing with arbitrary specs and answers: never a panic; every planned query parses with
//! promql-parser with the namespace and workload name as exact matchers; every recommendation
//! is finite, at least the minimums and the usage it covers, and its quantity reads back as it.
//! The right-sizing rules of the same settings exist whenever the plan does, and parse.
#![no_main]

use arbitrary::Arbitrary;
use kubeprom::quantity::parse_quantity;
use kubeprom::query::{WorkloadKind, WorkloadRef};
use kubeprom::recommend::{
    plan, recommend, right_sizing_rules, Answers, CpuLimitPolicy, Need, RecommendSpec, RulesSpec,
};
use kubeprom_fuzz::{matchers, substitute_range_variables};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    namespace: String,
    kind: u8,
    name: String,
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
        workload: WorkloadRef {
            kind: WorkloadKind::ALL[usize::from(input.kind) % WorkloadKind::ALL.len()],
            name: input.name,
        },
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
    assert!(rules.is_ok(), "{:?} for settings the plan takes", rules.err());
    for q in &plan.queries {
        let found = matchers(&substitute_range_variables(&q.promql))
            .unwrap_or_else(|e| panic!("planned query does not parse: {e}\n{}", q.promql));
        for (label, value) in [("namespace", &spec.namespace), ("owner_name", &spec.workload.name)] {
            assert!(
                found.iter().any(|(n, op, v)| n == label && op == "=" && v == value),
                "{label}={value:?} not matched exactly in\n{}",
                q.promql
            );
        }
    }
    let mut answers = Answers::new();
    for (need, container, value) in input.answers {
        let need = Need::ALL[usize::from(need) % Need::ALL.len()];
        answers
            .entry(need)
            .or_default()
            .insert(format!("c{}", container % 4), value);
    }
    let s = &plan.settings;
    for c in recommend(&spec, &plan, &answers) {
        for (advice, is_cpu) in [
            (&c.cpu_request, true),
            (&c.cpu_limit, true),
            (&c.memory_request, false),
            (&c.memory_limit, false),
        ] {
            let Some(v) = advice.recommended else { continue };
            assert!(v.is_finite() && v >= 0.0, "{c:?}");
            let quantity = advice.quantity.as_deref().expect("a quantity beside the value");
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
