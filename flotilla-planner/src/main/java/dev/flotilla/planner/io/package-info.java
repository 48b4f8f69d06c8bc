/**
 * Planner input and output: Inferno's JSON (sample-data directory or SystemData document) and
 * Flotilla's YAML in; a text table and Inferno's solution JSON out.
 */
package dev.flotilla.planner.io;
