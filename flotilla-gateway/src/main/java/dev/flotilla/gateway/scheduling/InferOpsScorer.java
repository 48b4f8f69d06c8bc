package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.GpuFigures;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;

/**
 * Type {@value #TYPE}: the weighted dynamic scheduling of InferOps, which rates a node by static
 * factors (VRAM, TFLOPS, normalised across the fleet) and dynamic ones (GPU utilisation, memory
 * use, temperature). InferOps names the factors, not a formula; this is ours:
 * <pre>
 *   V = vram / max vram over the candidates       (NodeFacts.memoryGb, else the GPUs' total memory)
 *   F = tflops / max tflops over the candidates   (NodeFacts.tflops)
 *   U = mean GPU utilisation                      (fresh telemetry)
 *   M = sum of GPU memory used / sum of total     (fresh telemetry)
 *   P = clamp((T - safeC) / (throttleC - safeC), 0, 1), T the hottest GPU (fresh telemetry)
 *   score = (wV*V + wF*F + wU*(1-U) + wM*(1-M) + wT*(1-P)) / (sum of the weights of the terms known)
 * </pre>
 * A term whose figure is unknown (NaN, stale or no telemetry, no fact) is left out of both sums,
 * so a node is rated on what is known of it; NaN (neutral) when nothing is known.
 *
 * <p>Parameters: weights {@code vram} 0.2, {@code tflops} 0.2, {@code utilisation} 0.3,
 * {@code memory} 0.2, {@code temperature} 0.1 (each 0..1000); {@code safeTemperatureC} 70 (no
 * penalty below), {@code throttleTemperatureC} 85 (full penalty from here, near where data-centre
 * GPUs start to slow their clocks).
 */
public final class InferOpsScorer implements Scorer {
    public static final String TYPE = "inferops";

    private final double wVram;
    private final double wTflops;
    private final double wUtil;
    private final double wMemory;
    private final double wTemp;
    private final double safeC;
    private final double throttleC;

    InferOpsScorer(double wVram, double wTflops, double wUtil, double wMemory, double wTemp, double safeC,
                   double throttleC) {
        this.wVram = wVram;
        this.wTflops = wTflops;
        this.wUtil = wUtil;
        this.wMemory = wMemory;
        this.wTemp = wTemp;
        this.safeC = safeC;
        this.throttleC = throttleC;
    }

    /** The factory: reads the weights and temperatures named in the class comment. */
    public static InferOpsScorer create(PluginParams params, PluginContext context) {
        double safe = params.number("safeTemperatureC", 70, 0, 200);
        double throttle = params.number("throttleTemperatureC", 85, 0, 200);
        if (throttle <= safe) {
            throw new PluginConfigException(params.pathOf("throttleTemperatureC"), throttle,
                    "expected above safeTemperatureC " + safe);
        }
        return new InferOpsScorer(params.number("vram", 0.2, 0, 1000), params.number("tflops", 0.2, 0, 1000),
                params.number("utilisation", 0.3, 0, 1000), params.number("memory", 0.2, 0, 1000),
                params.number("temperature", 0.1, 0, 1000), safe, throttle);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        int n = candidates.size();
        double[] vram = new double[n];
        double[] tflops = new double[n];
        double maxVram = 0;
        double maxTflops = 0;
        for (int i = 0; i < n; i++) {
            NodeSnapshot node = candidates.get(i);
            vram[i] = vramGb(node);
            tflops[i] = node.facts() == null || node.facts().tflops() == null ? Double.NaN : node.facts().tflops();
            maxVram = Double.isNaN(vram[i]) ? maxVram : Math.max(maxVram, vram[i]);
            maxTflops = Double.isNaN(tflops[i]) ? maxTflops : Math.max(maxTflops, tflops[i]);
        }
        for (int i = 0; i < n; i++) {
            NodeSnapshot node = candidates.get(i);
            Terms t = new Terms();
            t.add(wVram, maxVram > 0 ? vram[i] / maxVram : Double.NaN);
            t.add(wTflops, maxTflops > 0 ? tflops[i] / maxTflops : Double.NaN);
            if (Freshness.fresh(node, request.now())) {
                List<GpuFigures> gpus = node.telemetry().gpus();
                t.add(wUtil, 1 - clamp(meanUtilisation(gpus)));
                t.add(wMemory, 1 - clamp(memoryUse(gpus)));
                t.add(wTemp, 1 - clamp((hottest(gpus) - safeC) / (throttleC - safeC)));
            }
            scores[i] = t.value();
        }
    }

    /** Sums the known weighted terms. */
    private static final class Terms {
        private double sum;
        private double weights;

        void add(double weight, double x) {
            if (!Double.isNaN(x) && weight > 0) {
                sum += weight * x;
                weights += weight;
            }
        }

        double value() {
            return weights > 0 ? sum / weights : Double.NaN;
        }
    }

    private static double vramGb(NodeSnapshot node) {
        if (node.facts() != null && node.facts().memoryGb() != null) {
            return node.facts().memoryGb();
        }
        double total = 0;
        for (GpuFigures g : node.telemetry().gpus()) {
            if (!Double.isNaN(g.memoryTotalBytes())) {
                total += g.memoryTotalBytes();
            }
        }
        return total > 0 ? total / FitsMemoryFilter.BYTES_PER_GB : Double.NaN;
    }

    private static double meanUtilisation(List<GpuFigures> gpus) {
        double sum = 0;
        int n = 0;
        for (GpuFigures g : gpus) {
            if (!Double.isNaN(g.utilisation())) {
                sum += g.utilisation();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double memoryUse(List<GpuFigures> gpus) {
        double used = 0;
        double total = 0;
        for (GpuFigures g : gpus) {
            if (!Double.isNaN(g.memoryUsedBytes()) && g.memoryTotalBytes() > 0) {
                used += g.memoryUsedBytes();
                total += g.memoryTotalBytes();
            }
        }
        return total > 0 ? used / total : Double.NaN;
    }

    private static double hottest(List<GpuFigures> gpus) {
        double max = Double.NaN;
        for (GpuFigures g : gpus) {
            if (!Double.isNaN(g.temperatureC()) && !(g.temperatureC() <= max)) {
                max = g.temperatureC();
            }
        }
        return max;
    }

    private static double clamp(double x) {
        return Double.isNaN(x) ? Double.NaN : Math.min(1, Math.max(0, x));
    }
}
