/**
 * Inferno's optimizer REST API over the planner ({@link dev.flotilla.planner.api.PlannerApi}, a
 * Vert.x Web router factory), and a standalone server for it ({@link dev.flotilla.planner.api.PlannerServer}).
 */
package dev.flotilla.planner.api;
