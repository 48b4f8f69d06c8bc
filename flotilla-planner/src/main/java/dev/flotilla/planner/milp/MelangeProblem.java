package dev.flotilla.planner.milp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The input of Mélange's solver, as in its {@code config/*.json}: GPU types with costs and
 * per-bucket throughputs, the share of the total request rate in each request-size bucket, the
 * total rate (requests/s) and the number of slices each bucket's load is split into.
 * Construction validates everything and lists every problem at once.
 *
 * @param gpus GPU types, in the file's order; names unique
 * @param workloadDistribution share of the total rate per bucket (rows: input size, columns:
 *     output size), each >= 0
 * @param totalRequestRate requests per second over all buckets (>= 0)
 * @param sliceFactor slices per bucket (>= 1)
 */
public record MelangeProblem(
    List<GpuProfile> gpus, List<List<Double>> workloadDistribution, double totalRequestRate, int sliceFactor) {

  public MelangeProblem {
    gpus = List.copyOf(Objects.requireNonNull(gpus, "gpus"));
    workloadDistribution = Objects.requireNonNull(workloadDistribution, "workloadDistribution").stream()
        .map(List::copyOf).toList();
    List<String> problems = new ArrayList<>();
    validate(gpus, workloadDistribution, totalRequestRate, sliceFactor, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid Mélange problem: " + String.join("; ", problems));
    }
  }

  /** Reads Mélange's JSON config file (keys {@code gpu_info}, {@code workload_distribution}, ...). */
  public static MelangeProblem read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Mélange config " + file + ": " + e.getMessage(), e);
    }
  }

  /** Parses Mélange's JSON config; errors name the key and value at fault. */
  public static MelangeProblem parse(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Mélange config: not JSON: " + e.getOriginalMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("Mélange config: expected a JSON object at the top");
    }
    List<GpuProfile> gpus = new ArrayList<>();
    JsonNode gpuInfo = root.get("gpu_info");
    if (gpuInfo == null || !gpuInfo.isObject()) {
      problems.add("gpu_info: " + describe(gpuInfo) + " (expected: an object of GPU name to {cost, tputs})");
    } else {
      for (Map.Entry<String, JsonNode> entry : gpuInfo.properties()) {
        String path = "gpu_info." + entry.getKey();
        double cost = number(entry.getValue().get("cost"), path + ".cost", problems);
        List<List<Double>> tputs = matrix(entry.getValue().get("tputs"), path + ".tputs", problems);
        gpus.add(new GpuProfile(entry.getKey(), cost, tputs));
      }
    }
    List<List<Double>> distribution = matrix(root.get("workload_distribution"), "workload_distribution", problems);
    double rate = number(root.get("total_request_rate"), "total_request_rate", problems);
    JsonNode sliceNode = root.get("slice_factor");
    int sliceFactor = 1;
    if (sliceNode == null || !sliceNode.canConvertToInt() || !sliceNode.isIntegralNumber()) {
      problems.add("slice_factor: " + describe(sliceNode) + " (expected: an integer >= 1)");
    } else {
      sliceFactor = sliceNode.intValue();
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("Mélange config: " + String.join("; ", problems));
    }
    return new MelangeProblem(gpus, distribution, rate, sliceFactor);
  }

  private static double number(JsonNode node, String path, List<String> problems) {
    if (node == null || !node.isNumber()) {
      problems.add(path + ": " + describe(node) + " (expected: a number)");
      return 0;
    }
    return node.doubleValue();
  }

  private static List<List<Double>> matrix(JsonNode node, String path, List<String> problems) {
    if (node == null || !node.isArray()) {
      problems.add(path + ": " + describe(node) + " (expected: an array of arrays of numbers)");
      return List.of();
    }
    List<List<Double>> rows = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode row = node.get(i);
      if (!row.isArray()) {
        problems.add(path + "[" + i + "]: " + describe(row) + " (expected: an array of numbers)");
        continue;
      }
      List<Double> values = new ArrayList<>();
      for (int j = 0; j < row.size(); j++) {
        values.add(number(row.get(j), path + "[" + i + "][" + j + "]", problems));
      }
      rows.add(values);
    }
    return rows;
  }

  private static String describe(JsonNode node) {
    return node == null ? "missing" : node.toString();
  }

  private static void validate(
      List<GpuProfile> gpus, List<List<Double>> distribution, double rate, int sliceFactor, List<String> problems) {
    if (gpus.isEmpty()) {
      problems.add("gpu_info: empty (expected: at least one GPU type)");
    }
    if (distribution.isEmpty() || distribution.getFirst().isEmpty()) {
      problems.add("workload_distribution: empty (expected: a non-empty matrix)");
    }
    int columns = distribution.isEmpty() ? 0 : distribution.getFirst().size();
    for (int i = 0; i < distribution.size(); i++) {
      if (distribution.get(i).size() != columns) {
        problems.add("workload_distribution[" + i + "]: " + distribution.get(i).size() + " columns (expected: "
            + columns + " like row 0)");
      }
      for (int j = 0; j < distribution.get(i).size(); j++) {
        checkNonNegative(distribution.get(i).get(j), "workload_distribution[" + i + "][" + j + "]", problems);
      }
    }
    checkNonNegative(rate, "total_request_rate", problems);
    if (sliceFactor < 1) {
      problems.add("slice_factor: " + sliceFactor + " (expected: >= 1)");
    }
    Set<String> names = new HashSet<>();
    for (GpuProfile gpu : gpus) {
      String path = "gpu_info." + gpu.name();
      if (gpu.name().isBlank()) {
        problems.add("gpu_info: a blank GPU name (expected: non-blank)");
      } else if (!names.add(gpu.name())) {
        problems.add(path + ": duplicate GPU name");
      }
      checkNonNegative(gpu.cost(), path + ".cost", problems);
      if (gpu.tputs().size() != distribution.size()) {
        problems.add(path + ".tputs: " + gpu.tputs().size() + " rows (expected: " + distribution.size()
            + " like workload_distribution)");
        continue;
      }
      for (int i = 0; i < gpu.tputs().size(); i++) {
        List<Double> row = gpu.tputs().get(i);
        if (row.size() != distribution.get(i).size()) {
          problems.add(path + ".tputs[" + i + "]: " + row.size() + " columns (expected: "
              + distribution.get(i).size() + " like workload_distribution)");
        }
        for (int j = 0; j < row.size(); j++) {
          checkNonNegative(row.get(j), path + ".tputs[" + i + "][" + j + "]", problems);
        }
      }
    }
  }

  private static void checkNonNegative(double value, String path, List<String> problems) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      problems.add(path + ": " + value + " (expected: a finite number >= 0)");
    }
  }
}
