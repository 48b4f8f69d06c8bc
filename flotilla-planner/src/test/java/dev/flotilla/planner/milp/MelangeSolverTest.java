package dev.flotilla.planner.milp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MelangeSolverTest {

  private static final MelangeSolver SOLVER = MelangeSolver.create();

  private static Path example() {
    String shared = System.getProperty("flotilla.shared");
    assertThat(shared).as("system property flotilla.shared (set by the parent pom's surefire config)").isNotNull();
    Path file = Path.of(shared, "testdata/inferno/melange-example-d46ab43/example.json");
    assertThat(file).as("Mélange example from the shared test data; check out shared/ beside the repository").exists();
    return file;
  }

  @Test
  void solve_melangeExample_givesThreeA10gAndOneA100AtCost6_7() {
    MelangeResult result = SOLVER.solve(MelangeProblem.read(example()));

    assertThat(result.status()).isEqualTo(SolveStatus.OPTIMAL);
    assertThat(result.gpuCounts()).containsExactly(Map.entry("A10G", 3), Map.entry("A100-80GB", 1));
    assertThat(result.cost()).isCloseTo(6.7, within(1e-9));
  }

  @Test
  void solve_melangeExample_everySliceFitsOnItsGpuType() {
    MelangeResult result = SOLVER.solve(MelangeProblem.read(example()));

    assertThat(result.slices()).hasSize(4);
    Map<String, Double> load = new HashMap<>();
    result.slices().forEach(s -> load.merge(s.gpu(), s.load(), Double::sum));
    load.forEach((gpu, total) -> assertThat(total).as(gpu).isLessThanOrEqualTo(result.gpuCounts().get(gpu) + 1e-9));
    assertThat(result.slices().stream().mapToDouble(SliceAssignment::rate).sum()).isCloseTo(30, within(1e-9));
  }

  @Test
  void solve_melangeExampleWithFourSlices_splitsABucketAcrossTypesAndSavesAnA10g() {
    // With quarter slices two slices of bucket [1][0] (A10G load 0.75 each) move to two A10Gs and
    // the A100 keeps 1.125 - 2 * 0.09375 = 0.9375: 2 x 1.01 + 3.67.
    MelangeProblem example = MelangeProblem.read(example());
    MelangeProblem sliced = new MelangeProblem(example.gpus(), example.workloadDistribution(),
        example.totalRequestRate(), 4);

    MelangeResult result = SOLVER.solve(sliced);

    assertThat(result.gpuCounts()).containsExactly(Map.entry("A10G", 2), Map.entry("A100-80GB", 1));
    assertThat(result.cost()).isCloseTo(5.69, within(1e-9));
    assertThat(result.slices()).hasSize(16);
  }

  @Test
  void solve_bucketNoGpuServes_isInfeasibleNamingTheBucket() {
    MelangeProblem problem = new MelangeProblem(
        List.of(new GpuProfile("X", 1, List.of(List.of(1.0, 0.0)))), List.of(List.of(0.5, 0.5)), 2, 1);

    MelangeResult result = SOLVER.solve(problem);

    assertThat(result.status()).isEqualTo(SolveStatus.INFEASIBLE);
    assertThat(result.detail()).contains("[0][1]");
  }

  @Test
  void solve_zeroThroughputOnEmptyBucket_isIgnored() {
    MelangeProblem problem = new MelangeProblem(
        List.of(new GpuProfile("X", 2, List.of(List.of(4.0, 0.0)))), List.of(List.of(1.0, 0.0)), 6, 1);

    MelangeResult result = SOLVER.solve(problem);

    assertThat(result.gpuCounts()).containsExactly(Map.entry("X", 2));
    assertThat(result.cost()).isEqualTo(4);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      missing rate       | {"gpu_info":{"A":{"cost":1,"tputs":[[1]]}},"workload_distribution":[[1]],"slice_factor":1}                    | total_request_rate: missing
      tputs shape        | {"gpu_info":{"A":{"cost":1,"tputs":[[1,2]]}},"workload_distribution":[[1]],"total_request_rate":1,"slice_factor":1} | gpu_info.A.tputs[0]: 2 columns
      negative cost      | {"gpu_info":{"A":{"cost":-1,"tputs":[[1]]}},"workload_distribution":[[1]],"total_request_rate":1,"slice_factor":1} | gpu_info.A.cost: -1.0
      text tput          | {"gpu_info":{"A":{"cost":1,"tputs":[["x"]]}},"workload_distribution":[[1]],"total_request_rate":1,"slice_factor":1} | gpu_info.A.tputs[0][0]: "x"
      slice factor 0     | {"gpu_info":{"A":{"cost":1,"tputs":[[1]]}},"workload_distribution":[[1]],"total_request_rate":1,"slice_factor":0} | slice_factor: 0
      fractional slices  | {"gpu_info":{"A":{"cost":1,"tputs":[[1]]}},"workload_distribution":[[1]],"total_request_rate":1,"slice_factor":1.5} | slice_factor: 1.5
      no gpus            | {"workload_distribution":[[1]],"total_request_rate":1,"slice_factor":1}                                       | gpu_info: missing
      not json           | {gpu_info                                                                                                      | not JSON
      """)
  void parse_badConfig_namesTheKeyAndValue(String name, String json, String expected) {
    assertThatThrownBy(() -> MelangeProblem.parse(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected);
  }

  @Test
  void read_exampleFile_keepsGpuOrderAndValues() throws Exception {
    MelangeProblem problem = MelangeProblem.read(example());

    assertThat(problem.gpus()).extracting(GpuProfile::name).containsExactly("A10G", "A100-80GB");
    assertThat(problem.gpus().get(1).tputs()).isEqualTo(List.of(List.of(20.0, 20.0), List.of(40.0, 20.0)));
    assertThat(problem.totalRequestRate()).isEqualTo(30);
    assertThat(Files.readString(example())).contains("\"slice_factor\": 1");
  }
}
