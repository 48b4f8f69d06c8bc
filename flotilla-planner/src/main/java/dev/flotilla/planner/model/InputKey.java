package dev.flotilla.planner.model;

/**
 * The keys of the planner input, with their spelling in Inferno's JSON and in Flotilla's YAML.
 * One list so that readers and validation name a field the way the user wrote it.
 */
public enum InputKey {
    ACCELERATORS("accelerators", "accelerators"),
    NAME("name", "name"),
    TYPE("type", "type"),
    MULTIPLICITY("multiplicity", "multiplicity"),
    MEM_SIZE("memSize", "mem-size"),
    MEM_BW("memBW", "mem-bw"),
    POWER("power", "power"),
    IDLE("idle", "idle"),
    FULL("full", "full"),
    MID_POWER("midPower", "mid-power"),
    MID_UTIL("midUtil", "mid-util"),
    COST("cost", "cost"),
    CAPACITY("count", "capacity"),
    COUNT("count", "count"),
    MODELS("models", "models"),
    ACC("acc", "accelerator"),
    ACC_COUNT("accCount", "acc-count"),
    MAX_BATCH_SIZE("maxBatchSize", "max-batch-size"),
    AT_TOKENS("atTokens", "at-tokens"),
    DECODE_PARMS("decodeParms", "decode"),
    PREFILL_PARMS("prefillParms", "prefill"),
    PERF_PARMS("perfParms", "perf"),
    ALPHA("alpha", "alpha"),
    BETA("beta", "beta"),
    GAMMA("gamma", "gamma"),
    DELTA("delta", "delta"),
    MAX_NUM_TOKENS("maxNumTokens", "max-num-tokens"),
    SERVICE_CLASSES("serviceClasses", "service-classes"),
    PRIORITY("priority", "priority"),
    MODEL_TARGETS("modelTargets", "model-targets"),
    MODEL("model", "model"),
    SLO_ITL("slo-itl", "slo-itl"),
    SLO_TTFT("slo-ttft", "slo-ttft"),
    SLO_TPS("slo-tps", "slo-tps"),
    SERVERS("servers", "servers"),
    CLASS("class", "class"),
    KEEP_ACCELERATOR("keepAccelerator", "keep-accelerator"),
    MIN_NUM_REPLICAS("minNumReplicas", "min-num-replicas"),
    CURRENT_ALLOC("currentAlloc", "current-alloc"),
    ACCELERATOR("accelerator", "accelerator"),
    NUM_REPLICAS("numReplicas", "num-replicas"),
    MAX_BATCH("maxBatch", "max-batch"),
    ITL_AVERAGE("itlAverage", "itl-average"),
    TTFT_AVERAGE("ttftAverage", "ttft-average"),
    LOAD("load", "load"),
    ARRIVAL_RATE("arrivalRate", "arrival-rate"),
    AVG_IN_TOKENS("avgInTokens", "avg-in-tokens"),
    AVG_OUT_TOKENS("avgOutTokens", "avg-out-tokens"),
    OPTIMIZER("optimizer", "optimizer"),
    UNLIMITED("unlimited", "unlimited"),
    HETEROGENEOUS("heterogeneous", "heterogeneous"),
    MILP_SOLVER("milpSolver", "milp"),
    USE_CPLEX("useCplex", "use-cplex"),
    DELAYED_BEST_EFFORT("delayedBestEffort", "delayed-best-effort"),
    SATURATION_POLICY("saturationPolicy", "saturation-policy");

    private final String inferno;
    private final String yaml;

    InputKey(String inferno, String yaml) {
        this.inferno = inferno;
        this.yaml = yaml;
    }

    /** The key as spelled in {@code dialect}. */
    public String in(Dialect dialect) {
        return dialect == Dialect.INFERNO ? inferno : yaml;
    }

    /** The two spellings of planner input. */
    public enum Dialect {
        /** Inferno's JSON (camelCase, matched ignoring case as Go does). */
        INFERNO,
        /** Flotilla's YAML (kebab-case). */
        YAML
    }
}
