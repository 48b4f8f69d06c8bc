/**
 * Queueing analysis of one replica doing continuous batching: a state-dependent birth-death chain,
 * its metrics at an arrival rate, and the highest rate meeting latency targets.
 */
package dev.flotilla.planner.queue;
