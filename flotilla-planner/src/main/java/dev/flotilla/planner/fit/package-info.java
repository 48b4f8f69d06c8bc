/**
 * Fitting performance parameters to measurements: samples of prefill and decode-step times
 * ({@link dev.flotilla.planner.fit.SampleReader}) in, least-squares estimates with standard errors
 * and R² ({@link dev.flotilla.planner.fit.PerfFitter}) out, ready to write as an Inferno model entry.
 */
package dev.flotilla.planner.fit;
