package dev.flotilla.planner.bench;

import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.perf.IterationModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Seeded random planning problems for measuring the solvers at sizes the published samples do not
 * reach (e.g. 200 servers over 20 accelerator types). The same arguments give the same problem.
 *
 * <p>Shape, scaled from Inferno's v2 sample data (llama_13b on an A100: {@code perfParms} alpha
 * 20.13 ms, beta 0.087, gamma 0.00272, batch 64 at 512 tokens): accelerator types with a speed
 * {@code s} (log-uniform 0.4–3) and a memory factor (0.5–2), priced about {@code 40 s^0.9}; every
 * fourth type also as a two-card unit; 10 models of size {@code m} (log-uniform 0.5–4) with
 * {@code alpha, beta, gamma} = the A100 figures x {@code m / s} (±10 %) on about 80 % of the types,
 * two units per replica where a large model meets a slow card; four classes (priority 1–3 with ITL
 * and TTFT targets that grow with the model, priority 4 with a throughput target); servers with a
 * random class and model, 10–300 requests/minute, 64–2048 input and 128–1024 output tokens, a
 * third running somewhere already (so the transition penalty matters). Capacity per type is
 * {@code capacityScale x} an even share of an estimate of the cards the servers need, ±50 %.
 */
public final class ProblemGenerator {

    private static final String[] CLASSES = {"Premium", "Standard", "Free", "Batch"};

    private ProblemGenerator() {
    }

    /**
     * A problem of {@code servers} servers over {@code types} accelerator types, limited capacity,
     * saturation policy {@code RoundRobin}.
     *
     * @param capacityScale 1 gives roughly what the servers need in total, spread unevenly over
     *                      the types; smaller is scarcer
     */
    public static Problem generate(int servers, int types, long seed, double capacityScale) {
        if (servers < 1 || types < 1) {
            throw new IllegalArgumentException("servers: " + servers + ", types: " + types + " (expected: both >= 1)");
        }
        if (!(capacityScale > 0)) {
            throw new IllegalArgumentException("capacityScale: " + capacityScale + " (expected: > 0)");
        }
        Random random = new Random(seed);
        List<Accelerator> accelerators = new ArrayList<>();
        Map<String, Double> speed = new LinkedHashMap<>();
        Map<String, Double> memory = new LinkedHashMap<>();
        for (int t = 1; t <= types; t++) {
            String type = String.format(Locale.ROOT, "GPU%02d", t);
            double s = logUniform(random, 0.4, 3);
            double cost = round2(40 * Math.pow(s, 0.9) * (0.8 + 0.4 * random.nextDouble()));
            speed.put(type, s);
            memory.put(type, 0.5 + 1.5 * random.nextDouble());
            accelerators.add(Accelerator.of(type, type, 1, cost));
            if (t % 4 == 0) {
                accelerators.add(Accelerator.of("2x" + type, type, 2, round2(2 * cost)));
            }
        }
        List<ModelPerf> models = new ArrayList<>();
        List<String> modelNames = new ArrayList<>();
        Map<String, Double> size = new LinkedHashMap<>();
        for (int m = 1; m <= 10; m++) {
            String name = String.format(Locale.ROOT, "model%02d", m);
            double factor = logUniform(random, 0.5, 4);
            modelNames.add(name);
            size.put(name, factor);
            for (Accelerator a : accelerators) {
                if (random.nextDouble() > 0.8) {
                    continue;
                }
                double s = speed.get(a.type()) * a.multiplicity();
                int accCount = factor > 2 && s < 1 ? 2 : 1;
                double k = factor / (s * accCount);
                int maxBatch = Math.max(4, (int) Math.round(64 * memory.get(a.type()) * a.multiplicity() * accCount / factor));
                models.add(new ModelPerf(name, a.name(), accCount, maxBatch, 512, new IterationModel(
                        round4(20.13 * k * jitter(random)), 0.087 * k * jitter(random), 0.00272 * k * jitter(random))));
            }
        }
        List<ServiceClass> classes = new ArrayList<>();
        double[][] factors = {{1.6, 1}, {3.2, 3}, {6.4, 8}};
        for (int c = 0; c < CLASSES.length; c++) {
            List<ModelTarget> targets = new ArrayList<>();
            for (String m : modelNames) {
                double f = size.get(m);
                targets.add(c < 3
                        ? new ModelTarget(m, Math.round(25 * factors[c][0] * Math.max(1, f)), Math.round(500 * factors[c][1] * Math.max(1, f)), 0)
                        : new ModelTarget(m, 0, 0, 500 * (1 + random.nextInt(6))));
            }
            classes.add(new ServiceClass(CLASSES[c], c + 1, targets));
        }
        int[] inTokens = {64, 128, 256, 512, 1024, 2048};
        int[] outTokens = {128, 256, 512, 1024};
        List<Server> list = new ArrayList<>();
        double cardEstimate = 0;
        for (int i = 1; i <= servers; i++) {
            String cls = CLASSES[weighted(random, new double[] {0.25, 0.3, 0.3, 0.15})];
            String model = modelNames.get(random.nextInt(modelNames.size()));
            Load load = new Load(Math.round(logUniform(random, 10, 300)), inTokens[random.nextInt(inTokens.length)],
                    outTokens[random.nextInt(outTokens.length)]);
            CurrentAllocation current = CurrentAllocation.NONE;
            List<ModelPerf> runs = models.stream().filter(p -> p.model().equals(model)).toList();
            if (random.nextDouble() < 1.0 / 3 && !runs.isEmpty()) {
                ModelPerf on = runs.get(random.nextInt(runs.size()));
                Accelerator acc = accelerators.stream().filter(a -> a.name().equals(on.accelerator())).findFirst().orElseThrow();
                int replicas = 1 + random.nextInt(4);
                current = new CurrentAllocation(acc.name(), replicas, 0, acc.cost() * on.accCount() * replicas);
            }
            list.add(new Server(String.format(Locale.ROOT, "s%03d-%s-%s", i, cls, model), cls, model, false,
                    random.nextDouble() < 0.2 ? 1 : 0, 0, load, current));
            // rough cards needed: a replica of a mid-sized model on a mid-range card serves ~12 requests/minute
            cardEstimate += Math.max(1, load.arrivalRate() / 12 * size.get(model) * load.avgOutTokens() / 512);
        }
        Map<String, Integer> capacity = new LinkedHashMap<>();
        for (String type : speed.keySet()) {
            capacity.put(type, (int) Math.round(capacityScale * cardEstimate / types * (0.5 + random.nextDouble())));
        }
        OptimizerSettings settings = OptimizerSettings.DEFAULT.withSaturationPolicy(SaturationPolicy.ROUND_ROBIN);
        return new Problem(accelerators, capacity, models, classes, list, settings);
    }

    private static double logUniform(Random r, double lo, double hi) {
        return Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
    }

    private static double jitter(Random r) {
        return 0.9 + 0.2 * r.nextDouble();
    }

    private static int weighted(Random r, double[] weights) {
        double x = r.nextDouble();
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
