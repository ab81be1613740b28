//! Right-sizing: CPU and memory requests and limits for a workload's containers, or those of
//! every workload of a namespace, from their usage history in Prometheus.
//!
//! The method, after Robusta KRR's simple strategy: the CPU request covers a percentile of CPU
//! usage (default p95) and the memory request and limit are the peak working set plus a buffer
//! (default 15%), over a history (default 14 days), rounded up to quantities people write and
//! never below minimums (10m, 100Mi). A container whose last run ended OOMKilled gets at least
//! its current memory limit plus the buffer, as its peak was cut short there. No CPU limit is
//! recommended unless a policy asks for one. Usage is the busiest replica's at each step, so
//! pods replaced during the history count while they ran.
//!
//! [`plan`] gives the queries (Prometheus evaluates the history: one value per container, at
//! any scale); [`recommend`] reads their answers. [`right_sizing_rules`] writes the same method as
//! Prometheus rules over every workload, for alerts and dashboards.

mod compute;
mod plan;
mod rounding;
pub mod rules;
mod spec;

pub use compute::{
    container_values, recommend, Advice, Answers, ContainerAdvice, ContainerKey, Status,
};
pub use plan::{plan, Need, Plan, PlannedQuery};
pub use rounding::{cpu_quantity, memory_quantity, round_cpu, round_memory};
pub use rules::{right_sizing_rules, RightSizingRules};
pub use spec::{
    CpuLimitPolicy, RecommendSpec, RulesSpec, Settings, DEFAULT_CPU_PERCENTILE,
    DEFAULT_MEMORY_BUFFER, DEFAULT_MIN_CPU, DEFAULT_MIN_HISTORY, DEFAULT_MIN_MEMORY, DEFAULT_STEP,
    DEFAULT_TOLERANCE, DEFAULT_WINDOW,
};
