/**
 * The planning problem as Inferno states it ({@link dev.flotilla.planner.model.Problem}): accelerators,
 * capacity, model performance per accelerator, service classes with SLO targets, servers with
 * their load and current allocation, solver settings. Immutable records, checked on construction.
 */
package dev.flotilla.planner.model;
