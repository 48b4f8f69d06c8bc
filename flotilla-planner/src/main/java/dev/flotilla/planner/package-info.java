/**
 * Capacity planner: for each inference server (a model served to a class of service) the
 * accelerator, replicas and batch size at least cost under SLOs on TTFT, ITL and throughput, after
 * the Inferno optimizer (github.com/llm-inferno). Sub-packages, in the order data flows:
 * {@code model} (the problem), {@code io} (Inferno JSON and Flotilla YAML in, table and Inferno
 * solution JSON out), {@code perf} (performance models), {@code queue} (queueing analysis of a
 * replica), {@code candidate} (feasible allocation per server and accelerator), {@code solver}
 * (unlimited, greedy, and the exact MILP of {@code milp} through an adapter), {@code api} (Inferno's
 * REST API), {@code fit} (performance parameters from measurements), {@code bench} (generated
 * problems, solver comparisons). See docs/planner.md and docs/planner-milp.md.
 */
package dev.flotilla.planner;
