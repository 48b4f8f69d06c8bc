package dev.flotilla.planner.milp;

/**
 * Where Mélange's ILP put one slice of one request-size bucket.
 *
 * @param inputBucket row of the bucket in the workload distribution
 * @param outputBucket column of the bucket
 * @param slice index of the slice within the bucket (0 to slice factor - 1)
 * @param rate requests per second of the slice
 * @param gpu the GPU type serving it
 * @param load share of one GPU of that type the slice takes (rate / throughput)
 */
public record SliceAssignment(int inputBucket, int outputBucket, int slice, double rate, String gpu, double load) {}
