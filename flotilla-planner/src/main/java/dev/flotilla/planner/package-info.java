/**
 * Capacity optimizer (queueing model of continuous batching, MILP), autoscaling control loop and
 * actuators. Empty until the capacity-planning issue; the module exists so that the solver's heavy
 * dependency stays out of the gateway and the engine.
 */
package dev.flotilla.planner;
